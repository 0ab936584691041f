import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../../src/model/snapshot.js'
import {openStore} from '../../../src/store/store.js'
import {ROOT} from '../../support/cli.js'
import {asHost} from '../../support/snapshots.js'
import {realSnapshot, viaJson} from './real-snapshot.js'

// the child writes through the built store (npm run build), as the CLI would
const BUILT = path.join(ROOT, 'dist/src/store/store.js')

const WRITER = `
import {readFileSync} from 'node:fs'
const {openStore} = await import(process.env.STORE_MODULE)
const snapshot = JSON.parse(readFileSync(process.env.SNAPSHOT, 'utf8'))
const store = await openStore(process.env.STORE)
const run = await store.beginRun({source: 'sweep', hostsFile: 'killed.yaml'})
process.stdout.write('run ' + run.id + '\\n')
for (let i = 0; i < Number(process.env.COUNT ?? 100000); i++) {
  snapshot.host.name = 'host-' + String(i).padStart(5, '0')
  snapshot.meta.collectedAt = new Date().toISOString()
  await run.addSnapshot(snapshot)
  process.stdout.write('added ' + i + '\\n')
}
await run.finish()
await store.close()
`

let dir: string
let real: Snapshot

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-crash-'))
  real = await realSnapshot()
  expect(existsSync(BUILT), 'run npm run build first').toBe(true)
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('two writers at once', () => {
  it('each gets its own run id and both runs complete', async () => {
    const file = path.join(dir, 'two.db')
    const snapFile = path.join(dir, 'snap2.json')
    writeFileSync(snapFile, JSON.stringify(real))
    await (await openStore(file)).close()
    const writers = [0, 1].map(
      () =>
        new Promise<{code: number | null; out: string; err: string}>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
            env: {...process.env, STORE: file, SNAPSHOT: snapFile, STORE_MODULE: pathToFileURL(BUILT).href, COUNT: '30'},
            stdio: ['ignore', 'pipe', 'pipe'],
          })
          let out = ''
          let err = ''
          child.stdout.on('data', (d: Buffer) => (out += d.toString()))
          child.stderr.on('data', (d: Buffer) => (err += d.toString()))
          child.on('exit', (code) => resolve({code, out, err}))
        }),
    )
    const done = await Promise.all(writers)
    for (const w of done) expect(w.code, w.err).toBe(0)
    expect(done.map((w) => Number(/run (\d+)/.exec(w.out)?.[1])).sort()).toEqual([1, 2])
    const store = await openStore(file)
    expect((await store.listRuns()).map((r) => [r.id, r.state, r.hosts.total])).toEqual(expect.arrayContaining([[1, 'complete', 30], [2, 'complete', 30]]))
    expect(await store.integrityCheck()).toBe('ok')
    await store.close()
  })
})

describe('a writer killed mid-run', () => {
  it('never leaves a half-written run: earlier runs intact, the killed one interrupted, the next one written normally', async () => {
    const file = path.join(dir, 'hatang.db')
    const snapFile = path.join(dir, 'snap.json')
    writeFileSync(snapFile, JSON.stringify(real))
    const before = await openStore(file)
    await before.storeRun({source: 'import'}, [asHost(real, 'web01'), asHost(real, 'db01')])
    await before.storeRun({source: 'import'}, [asHost(real, 'web01')])
    await before.close()

    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
      env: {...process.env, STORE: file, SNAPSHOT: snapFile, STORE_MODULE: pathToFileURL(BUILT).href},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    // wait until it has committed 40 snapshots and is writing more
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (/added 40\n/.test(out)) resolve()
      })
      child.on('exit', () => reject(new Error(`the writer ended early: ${err}`)))
    })
    const runId = Number(/run (\d+)/.exec(out)?.[1])
    expect(runId).toBe(3)

    // while it writes, a reader sees only the complete runs, and leaves a live writer's run alone
    const reader = await openStore(file)
    expect((await reader.listRuns()).map((r) => r.id)).toEqual([2, 1])
    expect((await reader.run(runId))?.state).toBe('running')
    await reader.close()

    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const after = await openStore(file)
    expect(await after.integrityCheck()).toBe('ok')
    expect((await after.listRuns()).map((r) => r.id)).toEqual([2, 1])
    expect((await after.snapshots(1)).map((s) => s.host.name)).toEqual(['db01', 'web01'])
    expect((await after.snapshots(1))[1]).toEqual(viaJson(asHost(real, 'web01')))
    const killed = (await after.run(runId))!
    expect(killed.state).toBe('interrupted')
    expect(killed.note).toMatch(/its writer \(pid \d+\) ended before the run was finished/)
    // every snapshot it committed is whole and readable, in order with no gap; the one it was writing is not there at all
    const kept = await after.snapshots(runId)
    expect(kept.length).toBeGreaterThan(40)
    expect(kept.map((s) => s.host.name)).toEqual(kept.map((_s, i) => `host-${String(i).padStart(5, '0')}`))
    expect(kept.every((s) => JSON.stringify(s.sections) === JSON.stringify(real.sections))).toBe(true)
    expect(await after.hosts(runId)).toHaveLength(kept.length)
    // last-seen times come from complete runs only
    expect((await after.lastSeen()).map((h) => h.host)).toEqual(['db01', 'web01'])
    await expect(after.completeRun(runId)).rejects.toThrow(/is interrupted, not complete/)

    const next = await after.beginRun({source: 'sweep'})
    expect(next.id).toBe(runId + 1)
    await next.addSnapshot(asHost(real, 'web01'))
    await next.finish()
    expect((await after.listRuns()).map((r) => r.id)).toEqual([runId + 1, 2, 1])
    expect(await after.prune(10)).toEqual([runId])
    expect(await after.integrityCheck()).toBe('ok')
    await after.close()
  })
})
