import type {Snapshot} from '../../src/model/snapshot.js'

/** A copy of a snapshot with one section replaced: how check tests make a passing and a failing host. */
export function withSection(snapshot: Snapshot, id: string, section: {status: string; reason?: string; data?: unknown}): Snapshot {
  const copy = structuredClone(snapshot)
  ;(copy.sections as unknown as Record<string, unknown>)[id] = {source: 'probe', durationMs: 0, ...section}
  return copy
}

/** A copy with fields of one section's data set (the section made ok). */
export function withData(snapshot: Snapshot, id: string, fields: Record<string, unknown>): Snapshot {
  const current = (snapshot.sections as unknown as Record<string, {data?: Record<string, unknown>}>)[id]?.data ?? {}
  return withSection(snapshot, id, {status: 'ok', data: {...current, ...fields}})
}

/** A copy of a snapshot renamed as another host, collected at another time. */
export function asHost(s: Snapshot, name: string, collectedAt?: string): Snapshot {
  const copy = structuredClone(s)
  copy.host.name = name
  if (collectedAt) copy.meta.collectedAt = collectedAt
  return copy
}
