import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {evaluationShortcuts} from '../../../src/engine/checks/assertion.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {Snapshot} from '../../../src/model/snapshot.js'

const fleetDir = path.resolve(import.meta.dirname, '../../fixtures/fleet')
const packs = builtinPackNames().map((p) => loadPack(packFile(p)))

/** The real chroot snapshots, and variants whose package lists hold what the checks look for. */
function snapshots(): Snapshot[] {
  const real = readdirSync(fleetDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(fleetDir, f), 'utf8')) as Snapshot)
  const variants = real.map((s, i) => {
    const v = structuredClone(s)
    v.host.name = `${s.host.name}-variant`
    const items = v.sections.packages.data!.items
    const like = items[0]!
    // legacy servers, a duplicate name, and items without a usable name: they must be judged like any other
    const extra = ['telnetd', 'rsh-server', 'nis', 'tftpd-hpa', 'vsftpd', 'xinetd', 'openssh-server', 'auditd', 'rsyslog'].slice(0, 3 + i)
    items.push(...extra.map((name) => ({...like, name})))
    items.push({...like, name: undefined as unknown as string}, {...like, name: 42 as unknown as string})
    return v
  })
  return [...real, ...variants]
}

afterEach(() => {
  evaluationShortcuts.prefilter = true
})

describe('evaluation shortcuts', () => {
  it('change no result: every built-in check on every snapshot, with and without the name prefilter', () => {
    const snaps = snapshots()
    expect(snaps.every((s) => s.sections.packages.data!.items.length >= 16)).toBe(true)
    const fast = snaps.map((s) => runChecks(s, packs))
    evaluationShortcuts.prefilter = false
    const slow = snaps.map((s) => runChecks(s, packs))
    expect(fast).toEqual(slow)
    // the comparison covers failing and passing list checks, not only unknowns
    const legacy = fast.flatMap((h) => h.results.filter((r) => r.check.startsWith('legacy.')))
    expect(legacy.some((r) => r.status === 'fail')).toBe(true)
    expect(legacy.some((r) => r.status === 'pass')).toBe(true)
  })
})
