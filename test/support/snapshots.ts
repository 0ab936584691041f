import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {loadEolData} from '../../src/engine/checks/eol.js'
import type {Snapshot} from '../../src/model/snapshot.js'

/**
 * The Debian release whose support ends last, as checks/data/eol.yaml says: a host that stays supported whatever
 * the day the tests run (as long as the data file is kept current), so no test breaks with the calendar.
 */
export function supportedDebian(): string {
  const debian = loadEolData('eol').releases.filter((r) => r.distribution === 'debian')
  return debian.sort((a, b) => Date.parse(b.eol) - Date.parse(a.eol))[0]!.version
}

/** A copy collected just now: fresh for the staleness rule, whatever the day. */
export function collectedNow(s: Snapshot): Snapshot {
  return {...s, meta: {...s.meta, collectedAt: new Date().toISOString()}}
}

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

/**
 * A copy of a folder of captured snapshots (and the sweep.json beside them) in a new temporary folder, each snapshot
 * collected just now: fixtures captured months ago judged as fresh data, whatever the day the tests run. The folder is
 * removed when the process exits.
 */
export function freshCopy(dir: string): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), `hatang-fresh-${path.basename(dir)}-`))
  process.once('exit', () => rmSync(copy, {recursive: true, force: true}))
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const value = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Snapshot
    writeFileSync(path.join(copy, f), JSON.stringify(f === 'sweep.json' ? value : collectedNow(value)))
  }
  return copy
}

/** The captured fleet (real snapshots of six hosts and one that could not be reached), read anew: objects nothing else holds. */
export function capturedFleet(): Snapshot[] {
  const fixtures = path.resolve(import.meta.dirname, '../fixtures')
  return ['fleet', 'fleet-unreached'].flatMap((d) =>
    readdirSync(path.join(fixtures, d))
      .filter((f) => f.endsWith('.json') && f !== 'sweep.json')
      .sort()
      .map((f) => JSON.parse(readFileSync(path.join(fixtures, d, f), 'utf8')) as Snapshot),
  )
}
