import type {HostSeen} from './contract.js'
import {DAY_MS} from '../model/days.js'

/** The hosts of `seen` not collected for more than `days` days before `now` (never collected counts as stale). Pure. */
export function staleOf(seen: readonly HostSeen[], days: number, now: Date): HostSeen[] {
  const limit = now.getTime() - days * DAY_MS
  return seen.filter((h) => h.lastSeen === null || Date.parse(h.lastSeen) < limit)
}
