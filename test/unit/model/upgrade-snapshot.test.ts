import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/config/input-error.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import {readSnapshotFile} from '../../../src/engine/load-snapshots.js'
import type {Section} from '../../../src/model/section.js'
import {defineSection} from '../../../src/model/section-spec.js'
import {appSpecificId, IdentitySchema} from '../../../src/model/sections/identity.js'
import {sectionCatalog} from '../../../src/model/sections/index.js'
import {SNAPSHOT_SCHEMA_VERSION, type Snapshot} from '../../../src/model/snapshot.js'
import {openStore} from '../../../src/store/store.js'
import {sourcesProbe} from '../../../inventory/sources.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'

/** Snapshots exactly as earlier releases wrote them (test/fixtures/snapshots/README.md). */
const OLD = path.join(FIXTURES, 'snapshots')
const raw = (file: string) => JSON.parse(readFileSync(path.join(OLD, file), 'utf8')) as {schemaVersion: string; host: {name: string; status: string}; sections: Record<string, Section<Record<string, unknown>>>}
const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hatang-upgrade-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

const fleetSync = loadPack(packFile('fleet-sync'))
const cloneCheck = (snapshots: Snapshot[]) => evaluateRun(snapshots, [fleetSync]).fleet.find((f) => f.check === 'identity.unique-machine-id')!

describe('a snapshot of an earlier release, read from a file', () => {
  it('1.0.0 (sections without versions) reads as the current version: every section at its spec version, its data as it was', () => {
    const before = raw('1.0.0/web1.json')
    expect(before.schemaVersion).toBe('1.0.0')
    expect(Object.values(before.sections).every((s) => s.version === undefined)).toBe(true)
    const read = readSnapshotFile(path.join(OLD, '1.0.0/web1.json'))
    expect(read.schemaVersion).toBe(SNAPSHOT_SCHEMA_VERSION)
    const sections = read.sections as unknown as Record<string, Section<unknown>>
    expect(Object.keys(sections)).toEqual(Object.keys(before.sections))
    // a section added since (kernelModules) is absent from the old snapshot, and stays absent: unknown, never made up
    for (const spec of sectionCatalog.filter((x) => x.id in before.sections)) expect(sections[spec.id], spec.id).toEqual({...before.sections[spec.id], version: spec.version})
    expect(sections.kernelModules).toBeUndefined()
    expect(read.host).toEqual(before.host)
  })

  it('with the raw machine-id (identity version 1) reads with hatang\'s app-specific id of it instead, and the raw id nowhere', () => {
    const before = raw('1.0.0-machine-id/web1.json')
    const machineId = before.sections.identity!.data!.machineId as string
    expect(machineId).toMatch(/^[0-9a-f]{32}$/)
    const read = readSnapshotFile(path.join(OLD, '1.0.0-machine-id/web1.json'))
    const {machineId: _dropped, ...rest} = before.sections.identity!.data!
    expect(read.sections.identity).toMatchObject({status: before.sections.identity!.status, version: 2})
    expect(read.sections.identity.data).toEqual({...rest, machineAppId: appSpecificId(machineId)})
    // in the order the probe writes it
    expect(Object.keys(read.sections.identity.data!)).toEqual(Object.keys(IdentitySchema.properties).filter((k) => k in read.sections.identity.data!))
    expect(JSON.stringify(read)).not.toContain(machineId)
  })

  it('a section newer than this build knows is refused, naming it and what to do', () => {
    const newer = raw('1.0.0/web1.json')
    newer.sections.identity!.version = 99
    const file = path.join(tmp(), 'newer.json')
    writeFileSync(file, JSON.stringify(newer))
    expect(() => readSnapshotFile(file)).toThrow(InputError)
    expect(() => readSnapshotFile(file)).toThrow(/\/sections\/identity\/version is 99: this hatang reads identity up to version 2 — read it with a newer hatang/)
  })
})

describe('a run the previous release stored', () => {
  /** A store holding old snapshots byte for byte as the previous release stored them (the codec has not changed). */
  async function storeOf(files: string[]) {
    const store = await openStore(path.join(tmp(), 'hatang.db'))
    const run = await store.storeRun({source: 'audit', startedAt: new Date(Date.UTC(2026, 10, 24))}, files.map((f) => raw(f) as unknown as Snapshot))
    return {store, run: run.id}
  }

  it('reads upgraded: the clone check finds the cloned machine, which it could not on the raw ids', async () => {
    const files = ['1.0.0-machine-id/web1.json', '1.0.0-machine-id/web3.json']
    const rawIds = files.map((f) => raw(f).sections.identity!.data!.machineId as string)
    expect(rawIds[0]).toBe(rawIds[1]) // web3 is a clone of web1
    // as stored, nothing tells the clones apart: machineAppId is absent, so the check cannot judge them
    expect(cloneCheck(files.map((f) => raw(f) as unknown as Snapshot)).status).toBe('unknown')

    const {store, run} = await storeOf(files)
    const read = await store.snapshots(run)
    await store.close()
    expect(read.map((s) => s.host.name)).toEqual(['web1', 'web3'])
    for (const s of read) {
      expect(s.host.status).toBe(raw(`1.0.0-machine-id/${s.host.name}.json`).host.status)
      expect(s.sections.identity.data!.machineAppId).toBe(appSpecificId(rawIds[0]!))
      expect(JSON.stringify(s)).not.toContain(rawIds[0])
    }
    const finding = cloneCheck(read)
    expect(finding.status).toBe('fail')
    expect(finding.outliers).toEqual([
      {host: 'web1', value: appSpecificId(rawIds[0]!)},
      {host: 'web3', value: appSpecificId(rawIds[0]!)},
    ])
  })

  it('with foreign packages in sources (sources version 1) reads without them: they are read in updates now', () => {
    const f = loadFixture('debian-11-sources-unsigned', 'sources')
    const now = sourcesProbe.interpret(f.outputs, contextOf(f)).data!
    const before = raw('1.0.0/web1.json')
    before.sections.sources = {status: 'ok', source: 'probe', durationMs: 40, version: 1, data: {...now, foreign: {count: 1, names: ['kubectl']}, foreignReason: 'x'}} as unknown as Section<Record<string, unknown>>
    const file = path.join(tmp(), 'web1.json')
    writeFileSync(file, JSON.stringify(before))
    const read = readSnapshotFile(file).sections as unknown as Record<string, Section<unknown>>
    expect(read.sources).toEqual({status: 'ok', source: 'probe', durationMs: 40, version: 2, data: now})
  })

  it('a stored snapshot that matches no schema once upgraded reads as damaged, never as data', async () => {
    const bad = raw('1.0.0/web1.json')
    bad.sections.os!.data!.kernel = 42
    const store = await openStore(path.join(tmp(), 'hatang.db'))
    const {id} = await store.storeRun({source: 'audit', startedAt: new Date(Date.UTC(2026, 10, 24))}, [bad as unknown as Snapshot])
    const [read] = await store.snapshots(id)
    expect(read!.host.status).toBe('error')
    expect(store.damaged()).toEqual([{run: id, host: 'web1', problem: expect.stringContaining('/sections/os/data/kernel must be string')}])
    await store.close()
  })
})

describe('section specs', () => {
  it('each has one upgrade per version after the first, in order', () => {
    for (const spec of sectionCatalog) expect(spec.upgrades.map((u) => u.to), spec.id).toEqual(Array.from({length: spec.version - 1}, (_, i) => i + 2))
    const schema = IdentitySchema
    expect(() => defineSection({id: 'x', title: 'x', version: 2, schema, upgrades: []})).toThrow(/version 2 needs 1 upgrades/)
    expect(() => defineSection({id: 'x', title: 'x', version: 2, schema, upgrades: [{to: 3, why: '', upgrade: (s) => s}]})).toThrow(/makes version 3, expected 2/)
  })
})
