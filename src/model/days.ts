/** Milliseconds in a day: dates in snapshots and results are UTC, with no daylight-saving days. */
export const DAY_MS = 86_400_000

/** Whole days from `from` to `to` (milliseconds since the epoch), rounded down; negative when `to` is earlier. */
export const wholeDays = (from: number, to: number): number => Math.floor((to - from) / DAY_MS)
