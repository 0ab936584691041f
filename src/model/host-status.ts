/** How the collection of one host went: collected (`ok`, `partial`) or why not. */
export const HOST_STATUSES = ['ok', 'partial', 'unreachable', 'auth-failed', 'host-key-unknown', 'host-key-changed', 'timeout', 'error', 'interrupted'] as const
export type HostStatus = (typeof HOST_STATUSES)[number]

/** The statuses of a collected host (see isCollected), for where a function cannot go (SQL). */
export const COLLECTED_STATUSES = ['ok', 'partial'] as const satisfies readonly HostStatus[]
export type CollectedStatus = (typeof COLLECTED_STATUSES)[number]

/** What "collected" means, once: the host answered and at least one section was read (`ok` or `partial`). */
export const isCollected = (status: string): boolean => status === 'ok' || status === 'partial'
