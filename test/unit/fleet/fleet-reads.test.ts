import {describe, expect, it} from 'vitest'

import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import type {FleetCheck} from '../../../src/engine/fleet/fleet-check.js'
import {fleetReads} from '../../../src/engine/fleet/fleet-reads.js'

/** What the fleet checks read of a snapshot: what a run keeps of each host to judge them later (src/runs/kept-snapshot.ts). */
const common = {title: {vi: 'x', en: 'x'}, rationale: {vi: 'x', en: 'x'}, remediation: {vi: 'x', en: 'x'}, severity: 'low'} as const
const packOf = (...fleet: object[]): Pack => ({pack: 'p', version: '1.0.0', title: {vi: 'p', en: 'p'}, checks: [], file: 'p.yaml', fleet: fleet.map((f, i) => ({id: `c${i}`, ...common, ...f}) as unknown as FleetCheck)})
const sections = (...fleet: object[]) => [...fleetReads([packOf(...fleet)]).sections].sort()

describe('fleetReads', () => {
  it('the built-in fleet pack reads seven sections and the clock, each a path of its checks names', () => {
    const reads = fleetReads([loadPack(packFile('fleet-sync'))])
    expect([...reads.sections].sort()).toEqual(['access', 'identity', 'network', 'os', 'sshd', 'system', 'timeSync'])
    expect([...reads.meta]).toEqual(['clock'])
    expect(reads.everything).toBe(false)
  })

  it('reads the sections of paths, per paths, margins and top-level applies; not item paths inside a quantifier or where', () => {
    expect(sections({compare: {path: 'os.kernel', per: ['system.vendor', ['cpu', 'model']]}})).toEqual(['cpu', 'os', 'system'])
    expect(sections({compare: {packages: ['openssl'], per: 'os.versionId'}})).toEqual(['os'])
    expect(sections({within: {path: 'timeSync.offsetMs', maxAbs: 1, margin: 'meta.clock.uncertaintyMs'}})).toEqual(['timeSync'])
    expect(sections({unique: {path: 'network.interfaces', item: 'mac', where: {path: 'kind', notEquals: 'loopback'}}})).toEqual(['network'])
    expect(sections({applies: {family: ['Linux'], when: {all: [{path: 'sshd.installed', equals: true}, {path: 'services.services', some: {path: 'name', equals: 'x'}}]}}, reached: true})).toEqual(['os', 'services', 'sshd'])
    expect(sections({applies: {when: {not: {ratio: {of: 'memory.availableBytes', to: 'memory.totalBytes'}, lt: 0.1}}}, referencePackages: true})).toEqual(['memory'])
    expect(sections({applies: {groups: ['web'], roles: ['db']}, compare: {path: 'host.role'}})).toEqual([])
  })

  it('an assertion that reads what no path says (eol, sysctl…) or a path to the whole meta reads every section', () => {
    expect(fleetReads([packOf({applies: {when: {eol: {}}}, compare: {path: 'os.kernel'}})]).everything).toBe(true)
    expect(fleetReads([packOf({unique: {path: 'filesystems.mounts', where: {path: 'options', each: {sysctl: 'x'}}}})]).everything).toBe(true)
    expect(fleetReads([packOf({compare: {path: 'meta'}})]).everything).toBe(true)
    expect(fleetReads([packOf({compare: {path: 'meta.platform'}})]).meta).toEqual(new Set(['platform']))
  })
})
