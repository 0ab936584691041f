/** How the collection of one host went: collected (`ok`, `partial`) or why not. */
export const HOST_STATUSES = ['ok', 'partial', 'unreachable', 'auth-failed', 'host-key-unknown', 'host-key-changed', 'timeout', 'error', 'interrupted'] as const
export type HostStatus = (typeof HOST_STATUSES)[number]

/** What "collected" means, once: the host answered and at least one section was read (`ok` or `partial`). */
export const isCollected = (status: string): boolean => status === 'ok' || status === 'partial'
