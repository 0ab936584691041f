import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../src/model/snapshot.js'
import {hatang} from '../support/cli.js'

let dir: string
let real: Snapshot
let n = 0
const storeFile = () => path.join(dir, `store-${++n}`, 'hatang.db')

function snapshotFile(name: string, mutate: (s: Snapshot) => void = () => {}): string {
  const s = structuredClone(real)
  s.host.name = name
  mutate(s)
  const file = path.join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(s))
  return file
}

const json = <T>(r: {stdout: string}) => JSON.parse(r.stdout) as T
type RunsOut = {runs: {id: number; state: string; source: string; hosts: {total: number}}[]}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-import-'))
  const r = hatang(['collect', '--json', '--quiet', '--no-native'])
  expect(r.status, r.stderr).toBe(0)
  real = JSON.parse(r.stdout) as Snapshot
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('hatang import', () => {
  it('adds snapshots as a new complete run, started when the earliest was collected', () => {
    const store = storeFile()
    const a = snapshotFile('web01', (s) => (s.meta.collectedAt = '2026-11-20T01:00:00.000Z'))
    const b = snapshotFile('db01', (s) => (s.meta.collectedAt = '2026-11-20T01:30:00.000Z'))
    const r = hatang(['import', a, b, '--store', store])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toBe('imported 2 snapshots into new run 1 (2 hosts)\n')
    const list = hatang(['runs', 'list', '--json', '--store', store])
    expect(json<RunsOut>(list).runs).toMatchObject([{id: 1, state: 'complete', source: 'import', hosts: {total: 2}, startedAt: '2026-11-20T01:00:00.000Z'}])
  })

  it('takes the folder a sweep wrote (its sweep.json is not a snapshot), and --json says what went where', () => {
    const store = storeFile()
    const sweep = path.join(dir, 'sweep-folder')
    mkdirSync(sweep)
    for (const h of ['a1', 'a2', 'a3']) writeFileSync(path.join(sweep, `${h}.json`), JSON.stringify({...real, host: {...real.host, name: h}}))
    writeFileSync(path.join(sweep, 'sweep.json'), '{"counts": {}}')
    const r = hatang(['import', sweep, '--store', store, '--json'])
    expect(r.status, r.stderr).toBe(0)
    const out = json<{run: {id: number; hosts: {total: number; collected: number}}; imported: {host: string; file: string}[]}>(r)
    expect(out.run).toMatchObject({id: 1, hosts: {total: 3, collected: 3}})
    expect(out.imported).toEqual(['a1', 'a2', 'a3'].map((h) => ({host: h, file: path.join(sweep, `${h}.json`)})))
  })

  it('adds to an existing run with --run, refusing a host the run already has (all or nothing)', () => {
    const store = storeFile()
    expect(hatang(['import', snapshotFile('web01'), '--store', store]).status).toBe(0)
    const more = hatang(['import', snapshotFile('db02'), '--run', '1', '--store', store])
    expect(more.status, more.stderr).toBe(0)
    expect(more.stdout).toBe('imported 1 snapshot into run 1 (2 hosts)\n')
    const again = hatang(['import', snapshotFile('db03'), snapshotFile('web01'), '--run', '1', '--store', store])
    expect(again.status).toBe(2)
    expect(again.stderr).toMatch(/run 1 already has a snapshot of host 'web01'/)
    const show = json<{hosts: {host: string}[]}>(hatang(['runs', 'show', '1', '--json', '--store', store]))
    expect(show.hosts.map((h) => h.host)).toEqual(['db02', 'web01'])
  })

  it('exits 2 for an unknown --run, naming the list command', () => {
    const store = storeFile()
    expect(hatang(['import', snapshotFile('web01'), '--store', store]).status).toBe(0)
    const r = hatang(['import', snapshotFile('x1'), '--run', '7', '--store', store])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`no run 7 in ${store} — 'hatang runs list' shows the stored runs`)
    expect(hatang(['import', snapshotFile('x1'), '--run', 'seven', '--store', store]).status).toBe(2)
  })

  it('a file that does not validate: exit 2 naming it and what is wrong, nothing written (not even the store)', () => {
    const store = storeFile()
    const good = snapshotFile('good01')
    const bad = snapshotFile('bad01', (s) => {
      ;(s.host as {status: string}).status = 'fine'
    })
    const r = hatang(['import', good, bad, '--store', store])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(bad)
    expect(r.stderr).toContain(`${bad} does not match the snapshot schema:\n  /host/status must be one of ok, partial,`)
    expect(existsSync(store)).toBe(false)
    const notJson = path.join(dir, 'notes.json')
    writeFileSync(notJson, 'hello')
    const t = hatang(['import', good, notJson, '--store', store])
    expect(t.status).toBe(2)
    expect(t.stderr).toContain(`${notJson}: not a JSON snapshot`)
    expect(hatang(['import', path.join(dir, 'missing.json'), '--store', store]).status).toBe(2)
    expect(existsSync(store)).toBe(false)
  })

  it('refuses two files of the same host, naming both', () => {
    const store = storeFile()
    const a = snapshotFile('twin')
    const b = path.join(dir, 'twin-copy.json')
    writeFileSync(b, JSON.stringify({...real, host: {...real.host, name: 'twin'}}))
    const r = hatang(['import', a, b, '--store', store])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`${b}: host 'twin' is also in ${a}`)
    expect(existsSync(store)).toBe(false)
  })

  it('refuses a store written by a newer hatang (exit 2), and one that is not a store', () => {
    const store = storeFile()
    expect(hatang(['import', snapshotFile('web01'), '--store', store]).status).toBe(0)
    const db = new Database(store)
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2030-01-01T00:00:00.000Z')").run()
    db.close()
    const r = hatang(['import', snapshotFile('web02'), '--store', store])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/has store schema version 999, newer than this hatang .* — upgrade hatang/)
    const text = path.join(dir, 'text.db')
    writeFileSync(text, 'not sqlite at all, just text '.repeat(10))
    const t = hatang(['import', snapshotFile('web03'), '--store', text])
    expect(t.status).toBe(2)
    expect(t.stderr).toContain(`${text} cannot be opened as a hatang store`)
  })

  it('uses the XDG data folder by default, and HATANG_STORE when set', () => {
    const xdg = path.join(dir, 'xdg')
    const r = hatang(['import', snapshotFile('web01')], {env: {XDG_DATA_HOME: xdg, HATANG_STORE: ''}})
    expect(r.status, r.stderr).toBe(0)
    expect(existsSync(path.join(xdg, 'hatang', 'hatang.db'))).toBe(true)
    const env = path.join(dir, 'env.db')
    expect(hatang(['import', snapshotFile('web01')], {env: {HATANG_STORE: env}}).status).toBe(0)
    expect(existsSync(env)).toBe(true)
  })
})
