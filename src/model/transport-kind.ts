/**
 * How a host is reached, once: this machine (`local`), over SSH (`ssh`), or a system installed in a folder and run with
 * chroot(8) (`chroot`, for capturing fixtures of other releases). Snapshots record it; each transport is one of them.
 */
export const TRANSPORT_KINDS = ['local', 'ssh', 'chroot'] as const
export type TransportKind = (typeof TRANSPORT_KINDS)[number]
