import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunRecord} from '../../src/store/store.js'
import {hatang} from '../support/cli.js'
import {startPostgres, type PgServer} from '../support/postgres.js'

let pg: PgServer
let work: string

beforeAll(async () => {
  pg = await startPostgres()
  pg.createDatabase('centre')
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-pg-'))
}, 120_000)

afterAll(() => {
  pg?.stop()
  rmSync(work, {recursive: true, force: true})
})

describe('hatang with a PostgreSQL store', () => {
  it('audits this machine into it, lists the run and reports it', () => {
    const cwd = path.join(work, 'audit')
    mkdirSync(cwd)
    const env = {PGPASSWORD: pg.password, XDG_STATE_HOME: path.join(work, 'state'), XDG_DATA_HOME: path.join(work, 'data')}
    const store = pg.url('centre')
    const a = hatang(['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', store], {cwd, env, timeoutMs: 120_000})
    expect(a.status, a.stderr).toBe(0)
    expect(a.stdout).toMatch(/^stored as run 1$/m)
    // nothing went to the default SQLite file (nor a file named after the URL)
    expect(existsSync(path.join(work, 'data/hatang/hatang.db'))).toBe(false)
    expect(readdirSync(cwd).filter((f) => !f.startsWith('hatang-report-'))).toEqual([])
    expect(pg.sql("SELECT count(*) FROM runs WHERE state = 'complete'", 'centre').trim()).toBe('1')

    const list = hatang(['runs', 'list', '--json'], {env: {...env, HATANG_STORE: store}})
    expect(list.status, list.stderr).toBe(0)
    const {runs} = JSON.parse(list.stdout) as {runs: RunRecord[]}
    expect(runs.map((r) => [r.id, r.state, r.source, r.hosts.total])).toEqual([[1, 'complete', 'audit', 1]])

    const out = path.join(work, 'report')
    const r = hatang(['report', '1', '--store', store, '--format', 'html,json', '-o', out], {env})
    expect(r.status, r.stderr).toBe(0)
    expect(readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.html'))!), 'utf8')).toContain(os.hostname())
  }, 180_000)

  it("takes its lock in a local file of the state folder named after the server: a held one stops a second audit (exit 4)", () => {
    const env = {PGPASSWORD: pg.password, XDG_STATE_HOME: path.join(work, 'state2')}
    const lock = path.join(work, `state2/hatang/audit-postgres-127.0.0.1-${pg.port}-centre.lock`)
    mkdirSync(path.dirname(lock), {recursive: true})
    writeFileSync(lock, JSON.stringify({pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: 'hatang audit (test)'}))
    const r = hatang(['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', pg.url('centre')], {cwd: work, env})
    expect(r.status, r.stderr).toBe(4)
    expect(r.stderr).toContain(`lock: ${lock}`)
  })

  it('refuses a password in the URL (exit 2, the password not repeated), and names a wrong one (exit 2)', () => {
    const secret = 'Pa55-in-url'
    const inUrl = hatang(['runs', 'list', '--json', '--store', `postgres://${pg.user}:${secret}@127.0.0.1:${pg.port}/centre`], {env: {PGPASSWORD: pg.password}})
    expect(inUrl.status).toBe(2)
    expect(`${inUrl.stdout}${inUrl.stderr}`).toMatch(/carries a password/)
    expect(`${inUrl.stdout}${inUrl.stderr}`).not.toContain(secret)
    const wrong = hatang(['runs', 'list', '--store', pg.url('centre')], {env: {PGPASSWORD: 'not-it-123'}})
    expect(wrong.status).toBe(2)
    expect(wrong.stderr).toMatch(/refused the password of user 'hatang_admin' \(wrong password\)/)
    expect(wrong.stderr).not.toMatch(/not-it-123|\n\s+at /)
  })
})
