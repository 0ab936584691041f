import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {validateSnapshot} from '../../../src/model/validate.js'
import {FIXTURES} from '../../support/fixtures.js'

/**
 * A snapshot of a platform that has not some sections (a switch read over SNMP has no packages) simply lacks them:
 * the schema allows it, and every check that reads one is unknown — never a pass, never a crash.
 */
const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
const fleet = () => loadSnapshots([path.join(FIXTURES, 'fleet')])
function without(s: Snapshot, keep: readonly string[]): Snapshot {
  const copy = structuredClone(s)
  const sections = copy.sections as unknown as Record<string, unknown>
  for (const id of Object.keys(sections)) if (!keep.includes(id)) delete sections[id]
  return copy
}

describe('a snapshot whose sections are absent', () => {
  it('is a valid snapshot', () => {
    for (const s of fleet()) expect(() => validateSnapshot(without(s, []))).not.toThrow()
  })

  it('with none: every check is unknown or not applicable, each host and fleet check judged without a crash', () => {
    const hosts = fleet().map((s) => without(s, []))
    const evaluation = evaluateRun(hosts, packs)
    const results = evaluation.hosts.flatMap((h) => h.results)
    expect(results.length).toBeGreaterThan(100)
    expect(results.filter((r) => r.status === 'pass' || r.status === 'fail')).toEqual([])
    expect(results.filter((r) => r.status === 'unknown').length).toBeGreaterThan(0)
    // the only fleet checks that read no section: whether the hosts were reached, and their clocks (meta.clock)
    expect(evaluation.fleet.filter((f) => f.status === 'pass' || f.status === 'fail').map((f) => f.check).sort()).toEqual(['sync.clock-skew', 'sync.reached'])
  })

  it('with some: the checks of the absent ones are unknown, the others judged as before', () => {
    const full = fleet()
    const absent = ['os', 'packages', 'sshd']
    const partial = full.map((s) => without(s, Object.keys(s.sections).filter((id) => !absent.includes(id))))
    const before = evaluateRun(full, packs)
    const after = evaluateRun(partial, packs)
    const status = (e: typeof before) => new Map(e.hosts.flatMap((h) => h.results.map((r) => [`${h.host}/${r.pack}/${r.check}`, r] as const)))
    const was = status(before)
    let changed = 0
    for (const [key, r] of status(after)) {
      const old = was.get(key)!
      if (r.status === old.status) continue
      changed++
      expect(r.status, `${key}: ${old.status} → ${r.status} (${r.reason})`).toBe('unknown')
    }
    expect(changed).toBeGreaterThan(10)
  })
})
