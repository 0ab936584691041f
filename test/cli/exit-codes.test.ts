import {spawn, type ChildProcess} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {hatang, hatangAsync, ROOT, type RunOptions} from '../support/cli.js'
import {freePort} from '../support/sshd.js'

/**
 * The README's exit codes, with and without --json, for every command family: 2 usage or configuration, 4 a held
 * lock or a busy store, 5 output (or the store) that cannot be written. Without --json the whole message is on
 * stderr; with --json it is in {"error": {message, code, exit}} on stdout, and the exit code is the same.
 */

let dir: string
/** A regular file: a path below it can never be made. */
let file: string
let snapshot: string
/** A store with two complete runs. */
let store: string
/** A folder holding a copy of that store, mounted read-only for the runs that name it. */
let roDir: string

const NAMES: Record<number, string> = {2: 'usage', 4: 'locked', 5: 'output'}

interface Ran {
  status: number | null
  stdout: string
  stderr: string
}

function expectPlain(r: Ran, exit: number, message: RegExp): void {
  expect(r.status, r.stderr + r.stdout).toBe(exit)
  expect(r.stderr).toMatch(message)
  // a user's problem: no stack, no oclif wrapping, not called a bug
  expect(r.stderr).not.toMatch(/EEXIT|internal error|\n\s+at |›/)
}

function expectJson(r: Ran, exit: number, message: RegExp): void {
  expect(r.status, r.stderr + r.stdout).toBe(exit)
  const out = JSON.parse(r.stdout) as {error: {message: string; code: string; exit: number}}
  expect(out.error).toEqual({message: expect.stringMatching(message), code: NAMES[exit], exit})
  expect(out.error.message).not.toMatch(/^EEXIT/)
}

/** The same command without and with --json: the same exit code and message. */
function expectExit(args: string[], exit: number, message: RegExp, options: RunOptions = {}): void {
  expectPlain(hatang(args, options), exit, message)
  expectJson(hatang([...args, '--json'], options), exit, message)
}

function importRun(file: string): void {
  const r = hatang(['import', snapshot, '--store', file])
  expect(r.status, r.stderr).toBe(0)
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-exit-'))
  file = path.join(dir, 'a-file')
  writeFileSync(file, 'not a folder\n')
  const r = hatang(['collect', '--json', '--quiet', '--no-native'])
  expect(r.status, r.stderr).toBe(0)
  snapshot = path.join(dir, 'snap.json')
  writeFileSync(snapshot, r.stdout)
  store = path.join(dir, 'store.db')
  importRun(store)
  importRun(store)
  roDir = path.join(dir, 'ro')
  mkdirSync(roDir)
  copyFileSync(store, path.join(roDir, 'store.db'))
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('exit 2: usage and configuration errors', () => {
  it('check, report, import, diff, runs, packs, hosts, collect, sweep, audit', () => {
    expectExit(['check', path.join(dir, 'nope.json')], 2, /nope\.json: no such file or folder — name snapshot files/)
    expectExit(['report', snapshot, '--format', 'pdf', '-o', path.join(dir, 'r')], 2, /pdf/)
    expectExit(['import', path.join(dir, 'nope.json'), '--store', store], 2, /nope\.json: no such file or folder/)
    expectExit(['diff', '7', '--store', store], 2, /no run 7 in .*store\.db — 'hatang runs list' shows the stored runs/)
    expectExit(['runs', 'show', 'x', '--store', store], 2, /'x' is not a run id — 'hatang runs list' shows the stored runs/)
    expectExit(['runs', 'prune', '--store', store], 2, /Missing required flag keep/)
    expectExit(['runs', 'list', '--store', store, '--bogus'], 2, /Nonexistent flag: --bogus/)
    expectExit(['packs', 'show', 'no-such-pack'], 2, /no pack 'no-such-pack' — run 'hatang packs list'/)
    expectExit(['hosts', 'list', path.join(dir, 'nope.yaml')], 2, /nope\.yaml:1:1 does not exist/)
    expectExit(['collect', '--timeout', '0'], 2, /--timeout/)
    expectExit(['sweep', path.join(dir, 'nope.yaml'), '-o', path.join(dir, 'sweep')], 2, /nope\.yaml:1:1 does not exist/)
    expectExit(['audit', '--pack', 'no-such-pack', '--store', path.join(dir, 'audit2.db')], 2, /--pack no-such-pack: no built-in pack of that name, and no such file — 'hatang packs list'/)
    expect(existsSync(path.join(dir, 'audit2.db'))).toBe(false)
  })
})

describe('exit 4: a held lock, a busy store', () => {
  let holder: ChildProcess | undefined

  afterAll(() => {
    holder?.kill('SIGKILL')
  })

  it('audit: another audit holds the lock (its pid, host and start named)', async () => {
    const sleeper = spawn('sleep', ['60'])
    try {
      const db = path.join(dir, 'locked.db')
      writeFileSync(`${db}.lock`, JSON.stringify({pid: sleeper.pid, host: os.hostname(), startedAt: '2026-11-24T02:00:00.000Z', command: 'hatang audit'}))
      const message = new RegExp(`another hatang audit is running \\(pid ${sleeper.pid} on ${os.hostname()}, since 2026-11-24T02:00:00.000Z\\); lock: ${db}\\.lock — wait for it to finish`)
      expectExit(['audit', '--no-native', '--quiet', '--store', db], 4, message)
    } finally {
      sleeper.kill('SIGKILL')
    }
  })

  it('a store another writer keeps busy: writers wait 10 s and exit 4, readers read the complete runs at once', async () => {
    const busy = path.join(dir, 'busy.db')
    importRun(busy)
    importRun(busy)
    // another process in the middle of a write transaction, as a hatang writing to the store would be
    holder = spawn(process.execPath, ['-e', "const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.exec('BEGIN IMMEDIATE'); console.log('held'); setInterval(() => {}, 1000)", busy], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    await new Promise<void>((resolve) => holder!.stdout!.once('data', () => resolve()))
    const store = (c: string[]) => [...c, '--store', busy]
    const writers = [['import', snapshot], ['runs', 'prune', '--keep', '1']].map(store)
    // WAL: a reader never waits for a writer (an audit writing its run does not stop a report of an earlier one)
    const readers = [['check', '1', '--fail-on', 'none', '--min-coverage', '0'], ['report', '1', '-o', path.join(dir, 'busy-report')], ['diff'], ['runs', 'list'], ['runs', 'show', '1']].map(store)
    const started = Date.now()
    const [read, plain, json] = await Promise.all([
      Promise.all(readers.map((c) => hatangAsync([...c, '--json']))),
      Promise.all(writers.map((c) => hatangAsync(c))),
      Promise.all(writers.map((c) => hatangAsync([...c, '--json']))),
    ])
    // the holder never lets go: a reader that waited for the writer's lock could only have ended busy (4), never 0
    for (const r of read) expect(r.status, r.stderr + r.stdout).toBe(0)
    expect((JSON.parse(read[3]!.stdout) as {runs: unknown[]}).runs).toHaveLength(2)
    const message = /the store is busy: another hatang has been writing to it for too long — try again when it is done/
    for (const r of plain) expectPlain(r, 4, message)
    for (const r of json) expectJson(r, 4, message)
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000)
    holder.kill('SIGKILL')
  }, 60_000)
})

describe('exit 5: output or store that cannot be written', () => {
  it('report, collect and audit: the output folder is below a regular file', () => {
    expectExit(['report', snapshot, '-o', path.join(file, 'out')], 5, new RegExp(`cannot write into ${file}/out: ${file} is a file, not a folder — choose another folder with -o`))
    expectExit(['collect', '--no-native', '--quiet', '-o', path.join(file, 'snap.json')], 5, new RegExp(`cannot write ${file}/snap\\.json: ${file} is a file, not a folder — choose a writable path with -o`))
    const db = path.join(dir, 'audit5.db')
    expectExit(['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', db, '-o', path.join(file, 'reports')], 5, /cannot write .*a-file\/reports\/hatang-report-\d{8}-\d{4}(-2)?\.html: .*a-file is a file, not a folder — the run is stored/)
    // both runs were stored before the report failed
    const runs = JSON.parse(hatang(['runs', 'list', '--json', '--store', db]).stdout) as {runs: {state: string}[]}
    expect(runs.runs.map((r) => r.state)).toEqual(['complete', 'complete'])
  })

  it('sweep: the snapshot folder is below a regular file', async () => {
    const hosts = path.join(dir, 'hosts.yaml')
    writeFileSync(hosts, `hosts:\n  gone:\n    address: 127.0.0.1\n    port: ${await freePort()}\n    connectTimeout: 2\n`)
    expectExit(['sweep', hosts, '--quiet', '--ssh-config', 'none', '-o', path.join(file, 'sweep')], 5, new RegExp(`cannot write to ${file}/sweep: ${file} is a file, not a folder — choose a writable folder with -o`))
  })

  it('audit and import: the store (or its lock) is below a regular file; nothing is left behind', () => {
    const below = path.join(file, 'store.db')
    expectExit(['audit', '--no-native', '--quiet', '--store', below], 5, new RegExp(`cannot create the lock file ${below}\\.lock: ${file} is a file, not a folder — choose a writable place with --store, or --lock FILE`))
    expectExit(['audit', '--no-native', '--quiet', '--store', below, '--lock', path.join(dir, 'elsewhere.lock')], 5, new RegExp(`cannot write the store ${below}: ${file} is a file, not a folder — nothing was changed`))
    expectExit(['import', snapshot, '--store', below], 5, new RegExp(`cannot write the store ${below}: ${file} is a file, not a folder — nothing was changed; choose a writable place with --store`))
    expect(existsSync(path.join(dir, 'elsewhere.lock'))).toBe(false)
  })

  it('every command of the store, on a read-only filesystem', () => {
    const ro = path.join(roDir, 'store.db')
    const options = {readOnly: [roDir]}
    const message = new RegExp(`cannot write the store ${ro}: the filesystem is read-only — nothing was changed`)
    expectExit(['import', snapshot, '--store', ro], 5, message, options)
    expectExit(['runs', 'list', '--store', ro], 5, message, options)
    expectExit(['runs', 'prune', '--keep', '1', '--store', ro], 5, message, options)
    expectExit(['diff', '--store', ro], 5, message, options)
    expectExit(['check', '1', '--store', ro], 5, message, options)
    expectExit(['audit', '--no-native', '--quiet', '--store', ro], 5, new RegExp(`cannot create the lock file ${ro}\\.lock: the filesystem is read-only`), options)
    expect(readdirSync(roDir)).toEqual(['store.db'])
  })
})
