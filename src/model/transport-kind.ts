/**
 * How a host is reached, once: this machine (`local`), over SSH (`ssh`), or a system installed in a folder and run with
 * chroot(8) (`chroot`, for capturing fixtures of other releases). Snapshots record it; each transport is one of them.
 */
export const TRANSPORT_KINDS = ['local', 'ssh', 'chroot'] as const
export type TransportKind = (typeof TRANSPORT_KINDS)[number]

/**
 * The kinds a host of an inventory may name (`transport:` in the hosts file, Ansible's `ansible_connection`): chroot is
 * for captures only. In this order, as `hosts validate` lists them.
 */
export const INVENTORY_TRANSPORT_KINDS = ['ssh', 'local'] as const satisfies readonly TransportKind[]
export type InventoryTransportKind = (typeof INVENTORY_TRANSPORT_KINDS)[number]
