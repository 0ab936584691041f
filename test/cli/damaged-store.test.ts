import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunDiff} from '../../src/engine/diff.js'
import type {HostResults} from '../../src/engine/checks/run-checks.js'
import type {AuditOutcome} from '../../src/report/audit-summary.js'
import {hatang} from '../support/cli.js'

/**
 * One damaged snapshot in a real store (its compressed body cut short with SQL): the run's other data reads, the
 * host reads as not readable, every command says which run and host and what to do, and no audit is stopped by it.
 */
let dir: string
let store: string
let host: string
const WARNING = /warning: run 1: the stored snapshot of host '(.+)' cannot be read \(.+\): .*hatang\.db is damaged there — 'hatang runs show 1' lists the run; collect the host again/

const audit = (extra: string[] = []) =>
  hatang(['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', store, '-o', path.join(dir, 'reports'), '--log', path.join(dir, 'audit.log'), ...extra])

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-damaged-cli-'))
  mkdirSync(path.join(dir, 'reports'))
  store = path.join(dir, 'hatang.db')
  for (let i = 0; i < 2; i++) {
    const r = audit()
    expect(r.status, r.stderr).toBe(0)
  }
  const db = new Database(store)
  const row = db.prepare('SELECT s.body, h.name FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = 1').get() as {body: Buffer; name: string}
  db.prepare('UPDATE snapshots SET body = ? WHERE run_id = 1').run(row.body.subarray(0, row.body.length >> 1))
  db.close()
  host = row.name
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('a store with a damaged snapshot', () => {
  it('check RUN: the host is an error host saying why (insufficient data: exit 6), not a crash', () => {
    const r = hatang(['check', '1', '--store', store, '--json'])
    expect(r.status, r.stderr).toBe(6)
    expect(r.stderr).toMatch(WARNING)
    const out = JSON.parse(r.stdout) as {hosts: HostResults[]}
    expect(out.hosts).toEqual([expect.objectContaining({host, results: [], error: expect.stringMatching(/^not collected: error \(the stored snapshot cannot be read \(.+\): run 1 of .*hatang\.db is damaged there/)})])
    const text = hatang(['check', '1', '--store', store])
    expect(text.status).toBe(6)
    expect(text.stdout).toContain('the stored snapshot cannot be read')
    expect(text.stderr).not.toMatch(/internal error|Decompression failed\n\s+at /)
  })

  it('report RUN of the damaged run and of the next: written, the damage named', () => {
    for (const run of ['1', '2']) {
      const r = hatang(['report', run, '--store', store, '--format', 'json,html', '-o', path.join(dir, `report-${run}`)])
      expect(r.status, r.stderr).toBe(0)
      expect(r.stderr).toMatch(WARNING)
      expect(readdirSync(path.join(dir, `report-${run}`)).sort()).toEqual(['hatang-report.html', 'results.json'])
    }
    const results = readFileSync(path.join(dir, 'report-2', 'results.json'), 'utf8')
    expect(results).toContain('host not collected in run 1: error (the stored snapshot cannot be read')
  })

  it('diff: the host is not compared, and why', () => {
    const r = hatang(['diff', '1', '2', '--store', store, '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toMatch(WARNING)
    const diff = JSON.parse(r.stdout) as RunDiff
    expect(diff.changed).toEqual([expect.objectContaining({host, notCompared: [expect.stringMatching(/^host not collected in run 1: error \(the stored snapshot cannot be read/)]})])
  })

  it('runs show: marks the damaged host', () => {
    const r = hatang(['runs', 'show', '1', '--store', store])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^\\s+ok\\s+${host} .*\\n\\s+DAMAGED: its stored snapshot cannot be read \\(.+\\)$`, 'm'))
    const json = JSON.parse(hatang(['runs', 'show', '1', '--store', store, '--json']).stdout) as {damaged: {run: number; host: string}[]}
    expect(json.damaged).toEqual([{run: 1, host, problem: expect.any(String)}])
    expect(JSON.parse(hatang(['runs', 'show', '2', '--store', store, '--json']).stdout)).not.toHaveProperty('damaged')
  })

  it('audit: a new audit whose history reads the damaged row stores its run, writes its report, and logs the damage', () => {
    // the history compares with the previous complete run: damage that one
    const db = new Database(store)
    db.prepare("UPDATE snapshots SET body = X'0badc0de' WHERE run_id = 2").run()
    db.close()
    const r = audit(['--json'])
    expect(r.status, r.stderr).toBe(0)
    const outcome = JSON.parse(r.stdout) as AuditOutcome
    expect(outcome.run).toBe('3')
    expect(outcome.files).toHaveLength(1)
    expect(r.stderr).toMatch(/warning: run 2: the stored snapshot of host '.+' cannot be read/)
    const log = readFileSync(path.join(dir, 'audit.log'), 'utf8')
    expect(log).toMatch(/warning: run 2: the stored snapshot of host '.+' cannot be read .*\n(.*\n)*.*stored as run 3\n(.*\n)*.* exit 0\n$/)
  })
})
