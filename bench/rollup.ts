/**
 * `npm run bench:rollup` (issue 13 item 5): SITES sites × HOSTS hosts (100 × 200 = 20,000 by default), each site its
 * own SQLite store with one judged run of varied real snapshots (test/unit/report/fleet.ts) in its unit; then
 *   - push: PUSHERS (10) concurrent `hatang push` processes take the sites off one queue, into a fresh PostgreSQL
 *     database (test/support/postgres.ts, a real server on this machine) and then into one central SQLite file;
 *     throughput = hosts ÷ wall seconds; every push must exit 0 and the centre must hold every run and snapshot;
 *   - where one push's time goes (process start-up, reading the bundle, receiving it at the centre), in process;
 *   - roll-up on each centre: `hatang report --rollup --store … --format html,json,csv` (median of ROLLUP_RUNS wall
 *     time, peak RSS), the HTML's size and its first contentful paint in Chromium (median of PAINTS fresh pages);
 *     "not available" while the command refuses --rollup (exit 2).
 * Prints one table against the targets and appends it to bench/RESULTS.md. Everything it starts or makes (the
 * PostgreSQL server, temporary folders) is removed at the end, on failure and on SIGINT/SIGTERM too.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'

import {rollupFromStore} from '../src/runs/rollup/rollup-from-store.js'
import {renderRollupReports} from '../src/report/rollup/render-rollup.js'
import {openStore} from '../src/store/store.js'
import {firstPaint, launchChromium} from '../test/browser/browser.js'
import {BIN} from '../test/support/bin.js'
import {startPostgres, type PgServer} from '../test/support/postgres.js'
import {builtinPacks, realSnapshot} from '../test/unit/report/fleet.js'
import {makeSites, type Site} from './estate-sites.js'
import {appendResults, measure, median, type Sample} from './measure.js'
import {pushAll, stopPushes, type PoolOutcome} from './push-pool.js'

const SITES = Number(process.env.SITES ?? 100)
const HOSTS = Number(process.env.HOSTS ?? 200)
const PUSHERS = Number(process.env.PUSHERS ?? 10)
const ROLLUP_RUNS = Number(process.env.ROLLUP_RUNS ?? 3)
const PAINTS = Number(process.env.PAINTS ?? 5)
const TOTAL = SITES * HOSTS
const MB = 2 ** 20

// ---- clean-up: the server and the folders go whatever happens (end, error, Ctrl-C, kill)
const cleanups: (() => void)[] = []
function cleanUp(): void {
  for (let c = cleanups.pop(); c; c = cleanups.pop()) {
    try {
      c()
    } catch (error) {
      console.error(`clean-up: ${(error as Error).message}`)
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping PostgreSQL and removing the bench's folders`)
    cleanUp()
    process.exit(130)
  })
}

const log = (line: string) => console.error(line)
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** CPU seconds of the PostgreSQL server: the postmaster and every backend it has reaped (utime+stime+cutime+cstime). */
function serverCpuMs(pg: PgServer): number {
  const pid = readFileSync(path.join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim()
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const tick = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim()) || 100
  // after "pid (comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17
  return [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0) * (1000 / tick)
}

/** Busy CPU time of the whole machine (every core, every process: others' work too), ms. */
function machineBusyMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number)
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0)
  const tick = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim()) || 100
  return (cpu.reduce((a, b) => a + b, 0) - idle) * (1000 / tick)
}

interface PushFigures {
  pool: PoolOutcome
  hostsPerSec: number
  pushersCpuMs: number
  serverCpuMs: number | null
  machineBusyMs: number
}

/** Pushes every site to `to` with PUSHERS processes; throws (not a timing) unless every push exited 0 with its hosts. */
async function timedPushes(sites: Site[], to: string, env: NodeJS.ProcessEnv, pg?: PgServer): Promise<PushFigures> {
  const cpu0 = pg ? serverCpuMs(pg) : 0
  const busy0 = machineBusyMs()
  const pool = await pushAll(sites, to, PUSHERS, env, work)
  const busy = machineBusyMs() - busy0
  const failed = pool.samples.filter((s) => s.exitCode !== 0 || s.hosts !== HOSTS)
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} of ${sites.length} pushes to ${path.basename(to)} did not exit 0 with ${HOSTS} hosts: this run is not a timing.\n` +
        failed.slice(0, 3).map((s) => `${s.site}: exit ${s.exitCode}, ${s.hosts} hosts: ${s.tail.trim()}`).join('\n'),
    )
  }
  return {
    pool,
    hostsPerSec: TOTAL / (pool.wallMs / 1000),
    pushersCpuMs: pool.samples.reduce((n, s) => n + s.cpuMs, 0),
    serverCpuMs: pg ? serverCpuMs(pg) - cpu0 : null,
    machineBusyMs: busy,
  }
}

/** Throws unless the centre's counts are SITES runs and TOTAL snapshots. */
function checkCentre(what: string, counts: {runs: number; snapshots: number}): void {
  if (counts.runs !== SITES || counts.snapshots !== TOTAL) throw new Error(`${what} holds ${counts.runs} runs and ${counts.snapshots} snapshots, not ${SITES} and ${TOTAL}: this run is not a timing`)
  log(`${what}: ${counts.runs} runs, ${counts.snapshots} snapshots ✓`)
}

function sqliteCounts(file: string): {runs: number; snapshots: number} {
  const db = new Database(file, {readonly: true})
  try {
    const one = (sql: string) => Number((db.prepare(sql).get() as {n: number}).n)
    return {runs: one("SELECT count(*) AS n FROM runs WHERE state = 'complete'"), snapshots: one('SELECT count(*) AS n FROM snapshots')}
  } finally {
    db.close()
  }
}

/** Where one push's time goes: a push process with nothing to send (start-up, local store, centre connection), then in process reading the bundle and receiving it at a fresh centre of each engine. */
async function pushProfile(site: Site, pg: PgServer, pgEnv: NodeJS.ProcessEnv, work: string): Promise<string[]> {
  const idle = Array.from({length: 3}, () => measure({name: 'idle push', command: [process.execPath, BIN, 'push', '--store', site.file, '--to', pg.url('centre')], env: pgEnv}))
  const version = Array.from({length: 3}, () => measure({name: 'version', command: [process.execPath, BIN, '--version']}))
  process.env.PGPASSWORD = pg.password // this process's own environment, for the in-process receive below
  pg.createDatabase('profile')
  const local = await openStore(site.file, {create: false})
  const runId = (await local.listRuns())[0]!.id
  let t = performance.now()
  const bundle = await local.runBundle(runId)
  const readMs = performance.now() - t
  await local.close()
  const bodyBytes = bundle.snapshots.reduce((n, s) => n + (Buffer.isBuffer(s.body) ? s.body.length : String(s.body ?? '').length), 0)
  const lines = [
    `- one push process: \`hatang --version\` ${median(version.map((s) => s.wallMs)).toFixed(0)} ms; \`hatang push\` with nothing to send (start-up, local store, connecting to PostgreSQL) ${median(idle.map((s) => s.wallMs)).toFixed(0)} ms (medians of 3)`,
    `- reading one run's bundle (${bundle.snapshots.length} snapshots, ${(bodyBytes / MB).toFixed(1)} MB compressed; ${bundle.results.length} check results; ${bundle.scores.length} scores) from the site's SQLite: ${readMs.toFixed(0)} ms`,
  ]
  for (const [engine, to] of [['PostgreSQL', pg.url('profile')], ['SQLite', path.join(work, 'profile.db')]] as const) {
    t = performance.now()
    const centre = await openStore(to)
    const openMs = performance.now() - t
    t = performance.now()
    await centre.receiveRun(bundle)
    const receiveMs = performance.now() - t
    await centre.close()
    lines.push(`- receiving it at a fresh ${engine} centre, alone: open + migrate ${openMs.toFixed(0)} ms, receiveRun ${receiveMs.toFixed(0)} ms (${(bundle.snapshots.length / (receiveMs / 1000)).toFixed(0)} hosts/s for one pusher)`)
  }
  return lines
}

interface RollupFigures {
  available: boolean
  /** Why not, when not available. */
  reason?: string
  samples: Sample[]
  htmlBytes?: number
  paintMs?: number
  /** In process: rollupFromStore on an open store, and renderRollupReports (html, json, csv), medians. */
  queryMs?: number
  renderMs?: number
  hosts?: number
}

/**
 * hatang report --rollup on a centre (median of ROLLUP_RUNS), its HTML's size and first contentful paint in Chromium;
 * and in process, apart: the query (rollupFromStore on an open store) and the render (renderRollupReports, html, json
 * and csv), medians of ROLLUP_RUNS.
 */
async function rollupOn(store: string, env: NodeJS.ProcessEnv, work: string, label: string): Promise<RollupFigures> {
  const samples: Sample[] = []
  let dir = ''
  for (let i = 0; i < ROLLUP_RUNS; i++) {
    dir = path.join(work, `rollup-${label}-${i}`)
    const s = measure({name: `rollup ${label}`, command: [process.execPath, BIN, 'report', '--rollup', '--store', store, '--format', 'html,json,csv', '-o', dir], env: {...env, NO_COLOR: '1'}})
    if (s.exitCode === 2) return {available: false, reason: s.tail.trim().split('\n')[0], samples}
    // 6: written, and the estate has hosts short of evidence (the fleet has unreachable and stale hosts by design)
    if (s.exitCode !== 0 && s.exitCode !== 6) throw new Error(`hatang report --rollup on ${label} exited ${s.exitCode}: ${s.tail}`)
    samples.push(s)
  }
  const html = path.join(dir, 'hatang-rollup.html')
  if (!existsSync(html)) throw new Error(`hatang report --rollup on ${label} exited 0 but wrote no ${html}`)
  const browser = await launchChromium()
  const paints: number[] = []
  try {
    for (let i = 0; i < PAINTS; i++) {
      const page = await browser.newPage({viewport: {width: 1280, height: 900}})
      await page.goto(`file://${html}`, {waitUntil: 'load', timeout: 120_000})
      paints.push(await firstPaint(page, 120_000))
      await page.close()
    }
  } finally {
    await browser.close()
  }
  const saved = process.env.PGPASSWORD
  if (env.PGPASSWORD !== undefined) process.env.PGPASSWORD = env.PGPASSWORD
  const queries: number[] = []
  const renders: number[] = []
  let hosts = 0
  try {
    const opened = await openStore(store, {create: false})
    try {
      for (let i = 0; i < ROLLUP_RUNS; i++) {
        const t0 = performance.now()
        const rollup = await rollupFromStore(opened)
        queries.push(performance.now() - t0)
        const t1 = performance.now()
        renderRollupReports(rollup, {formats: ['html', 'json', 'csv'], lang: 'vi'})
        renders.push(performance.now() - t1)
        hosts = rollup.hosts.length
      }
    } finally {
      await opened.close()
    }
  } finally {
    if (saved === undefined) delete process.env.PGPASSWORD
    else process.env.PGPASSWORD = saved
  }
  return {available: true, samples, htmlBytes: statSync(html).size, paintMs: median(paints), queryMs: median(queries), renderMs: median(renders), hosts}
}

type Cell = {text: string; ok: boolean | undefined}
const cell = (value: number | undefined, format: (v: number) => string, target: number, higherIsBetter = false): Cell =>
  value === undefined ? {text: 'not available', ok: undefined} : {text: format(value), ok: higherIsBetter ? value >= target : value <= target}
const tick = (c: Cell) => (c.ok === undefined ? '—' : c.ok ? '✓' : '✗')

const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-bench-rollup-'))
cleanups.push(() => rmSync(work, {recursive: true, force: true}))
try {
  log(`${SITES} sites × ${HOSTS} hosts = ${TOTAL} hosts; ${PUSHERS} pushers; work folder ${work}`)
  let t = performance.now()
  const base = realSnapshot()
  const packs = builtinPacks()
  const sitesDir = path.join(work, 'sites')
  mkdirSync(sitesDir)
  const sites = await makeSites(sitesDir, SITES, HOSTS, base, packs, (s) => {
    if (Number(path.basename(s.file).slice(1, 4)) % 10 === 9) log(`  made ${path.basename(s.file)} (${s.unit.path})`)
  })
  const setupMs = performance.now() - t
  const siteBytes = sites.reduce((n, s) => n + statSync(s.file).size, 0)
  log(`setup: ${SITES} site stores (${(siteBytes / MB).toFixed(0)} MB) in ${secs(setupMs)}`)

  t = performance.now()
  const pg = await startPostgres()
  cleanups.push(() => pg.stop())
  cleanups.push(stopPushes) // undone last in, first out: no push left writing to the server or the folders
  log(`PostgreSQL started in ${secs(performance.now() - t)} on 127.0.0.1:${pg.port}`)
  pg.createDatabase('centre')
  const pgEnv = {PGPASSWORD: pg.password}
  const pgUrl = pg.url('centre')

  log(`pushing to PostgreSQL (${pgUrl}) with ${PUSHERS} pushers…`)
  const pgPush = await timedPushes(sites, pgUrl, pgEnv, pg)
  log(`  ${secs(pgPush.pool.wallMs)}: ${pgPush.hostsPerSec.toFixed(0)} hosts/s`)
  const one = (sql: string) => Number(pg.sql(sql, 'centre').trim())
  checkCentre('PostgreSQL centre', {runs: one("SELECT count(*) FROM runs WHERE state = 'complete'"), snapshots: one('SELECT count(*) FROM snapshots')})

  const sqliteFile = path.join(work, 'centre.db')
  log(`pushing to SQLite (${sqliteFile}) with ${PUSHERS} pushers…`)
  const sqlitePush = await timedPushes(sites, sqliteFile, {})
  log(`  ${secs(sqlitePush.pool.wallMs)}: ${sqlitePush.hostsPerSec.toFixed(0)} hosts/s`)
  checkCentre('SQLite centre', sqliteCounts(sqliteFile))

  log('profiling one push…')
  const profile = await pushProfile(sites.at(-1)!, pg, pgEnv, work)

  log('roll-up on PostgreSQL…')
  const pgRollup = await rollupOn(pgUrl, pgEnv, work, 'postgres')
  log('roll-up on SQLite…')
  const sqliteRollup = await rollupOn(sqliteFile, {}, work, 'sqlite')

  const wall = (r: RollupFigures) => (r.available ? median(r.samples.map((s) => s.wallMs)) : undefined)
  const rss = (r: RollupFigures) => (r.available ? median(r.samples.map((s) => s.maxRssKb)) / 1024 : undefined)
  const pusherRss = (p: PushFigures) => Math.max(...p.pool.samples.map((s) => s.maxRssKb)) / 1024
  const rows: [string, Cell, Cell, string][] = [
    ['push throughput, 10 pushers (hosts/s)', cell(pgPush.hostsPerSec, (v) => v.toFixed(0), 500, true), cell(sqlitePush.hostsPerSec, (v) => v.toFixed(0), 500, true), '≥ 500'],
    [`roll-up wall time, hatang report --rollup (median of ${ROLLUP_RUNS})`, cell(wall(pgRollup), (v) => secs(v), 10_000), cell(wall(sqliteRollup), (v) => secs(v), 10_000), '≤ 10 s'],
    [`  of which, in process: the query, rollupFromStore (median)`, cell(pgRollup.queryMs, (v) => secs(v), 10_000), cell(sqliteRollup.queryMs, (v) => secs(v), 10_000), '—'],
    [`  of which, in process: the render, html + json + csv (median)`, cell(pgRollup.renderMs, (v) => secs(v), 10_000), cell(sqliteRollup.renderMs, (v) => secs(v), 10_000), '—'],
    ['roll-up peak RSS (median)', cell(rss(pgRollup), (v) => `${v.toFixed(0)} MB`, 500), cell(rss(sqliteRollup), (v) => `${v.toFixed(0)} MB`, 500), '≤ 500 MB'],
    ['roll-up HTML size', cell(pgRollup.htmlBytes, (v) => `${(v / MB).toFixed(2)} MB`, 15 * MB), cell(sqliteRollup.htmlBytes, (v) => `${(v / MB).toFixed(2)} MB`, 15 * MB), '≤ 15 MB'],
    [`first contentful paint in Chromium (median of ${PAINTS})`, cell(pgRollup.paintMs, (v) => `${v.toFixed(0)} ms`, 2000), cell(sqliteRollup.paintMs, (v) => `${v.toFixed(0)} ms`, 2000), '≤ 2 s'],
    ['peak RSS of one push process (max)', cell(pusherRss(pgPush), (v) => `${v.toFixed(0)} MB`, 500), cell(pusherRss(sqlitePush), (v) => `${v.toFixed(0)} MB`, 500), '≤ 500 MB'],
  ]
  const table = [
    `| ${TOTAL.toLocaleString('en')} hosts (${SITES} sites × ${HOSTS}) | PostgreSQL | SQLite | target | met? (PostgreSQL / SQLite) |`,
    '|---|---:|---:|---:|:---:|',
    ...rows.map(([what, p, s, target]) => `| ${what} | ${p.text} | ${s.text} | ${target} | ${tick(p)} / ${tick(s)} |`),
  ].join('\n')
  const pushLine = (name: string, p: PushFigures) =>
    `- ${name}: ${SITES} pushes in ${secs(p.pool.wallMs)}; one push ${secs(median(p.pool.samples.map((s) => s.wallMs)))} median (${secs(Math.min(...p.pool.samples.map((s) => s.wallMs)))}–${secs(Math.max(...p.pool.samples.map((s) => s.wallMs)))}); CPU: pushers ${secs(p.pushersCpuMs)}` +
    (p.serverCpuMs === null ? '' : `, PostgreSQL server ${secs(p.serverCpuMs)}`) +
    `, whole machine ${secs(p.machineBusyMs)} of ${secs(p.pool.wallMs * os.cpus().length)} available (${((100 * p.machineBusyMs) / (p.pool.wallMs * os.cpus().length)).toFixed(0)}% busy)`
  const notes = [
    `Setup: ${SITES} site SQLite stores, one judged run each (built-in packs), ${(siteBytes / MB).toFixed(0)} MB in all, made in ${secs(setupMs)} (one process). Units: ${sites.filter((s) => s.unit.path.startsWith('bo-noi-vu/')).length} ministry departments (bo-noi-vu/…), ${sites.filter((s) => s.unit.path.startsWith('tinh/')).length} provincial offices (tinh/<province>/…). Hosts: this machine's snapshot varied per host (test/unit/report/fleet.ts).`,
    `Pushes: ${PUSHERS} worker loops over one queue, each running \`hatang push --store SITE.db --to CENTRE --json\` (password in PGPASSWORD); every push exited 0; the centres hold ${SITES} runs and ${TOTAL} snapshots each. PostgreSQL: a fresh database on a server of its own (fsync off, as the test harness starts it). SQLite: one central file.`,
    pushLine('PostgreSQL', pgPush),
    pushLine('SQLite', sqlitePush),
    'Where one push\'s time goes:',
    ...profile,
    ...[['PostgreSQL', pgRollup] as const, ['SQLite', sqliteRollup] as const].filter(([, r]) => !r.available).map(([name, r]) => `Roll-up on ${name}: not available (\`hatang report --rollup\` exits 2: ${r.reason}).`),
    `The machine has ${os.cpus().length} cores; the pushers, the PostgreSQL server, Chromium and this bench share them, with whatever else runs on the machine (load average ${os.loadavg()[0]!.toFixed(1)} at the end).`,
  ]
  console.log(`${table}\n\n${notes.join('\n')}`)
  appendResults(`Roll-up of ${TOTAL.toLocaleString('en')} hosts pushed by ${SITES} sites (npm run bench:rollup)`, `SITES=${SITES} HOSTS=${HOSTS} PUSHERS=${PUSHERS} npm run bench:rollup`, `${table}\n\n${notes.join('\n')}`)
  if (rows.some(([, p, s]) => p.ok === false || s.ok === false)) process.exitCode = 1
} catch (error) {
  console.error(`bench:rollup failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  cleanUp()
}
