import {isExpired, waiverMatches, type Waiver, type WaiverHost} from '../waivers.js'
import type {FleetFinding} from './types.js'

/** The hosts a finding is about: its outliers when it fails, its hosts without data when it is unknown. */
function concerned(f: FleetFinding): string[] {
  return [...new Set((f.status === 'fail' ? f.outliers : f.unknown).map((x) => x.host))]
}

/**
 * Applies waivers to fleet findings, as ../waivers.ts does to per-host results. A waiver covers a failing or
 * unknown finding when it names the check (id, or pack/id) and either selects every host the finding is about
 * (its outliers, or its hosts without data: by name glob or inventory group), or names the finding's group
 * when the scope is a group. A live waiver makes the finding `waived` (keeping the former status in
 * `waiver.status`); when only expired ones cover it, it stays a failure (an unknown one becomes one) with a
 * note. Pure (`now` decides expiry).
 */
export function applyFleetWaivers(findings: readonly FleetFinding[], hosts: ReadonlyMap<string, WaiverHost>, waivers: readonly Waiver[], now: Date = new Date()): FleetFinding[] {
  if (waivers.length === 0) return [...findings]
  return findings.map((f): FleetFinding => {
    if (f.status !== 'fail' && f.status !== 'unknown') return f
    const names = concerned(f)
    const covers = (w: Waiver) => {
      if (w.check !== f.check && w.check !== `${f.pack}/${f.check}`) return false
      if (f.scope.kind === 'group' && w.groups?.includes(f.scope.name)) return true
      return names.length > 0 && names.every((h) => waiverMatches(w, f, hosts.get(h) ?? {name: h}))
    }
    const matching = waivers.filter(covers)
    if (matching.length === 0) return f
    const live = matching.filter((w) => !isExpired(w, now)).sort((a, b) => b.expires.localeCompare(a.expires))[0]
    if (live) return {...f, status: 'waived', waiver: {status: f.status, reason: live.reason, approver: live.approver, expires: live.expires, source: live.source}}
    const last = [...matching].sort((a, b) => b.expires.localeCompare(a.expires))[0]!
    const note = `waiver expired on ${last.expires} (${last.source}, approved by ${last.approver})`
    return {...f, status: 'fail', note: f.note ? `${f.note}; ${note}` : note}
  })
}
