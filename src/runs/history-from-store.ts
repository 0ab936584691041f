import type {CheckResult} from '../engine/checks/run-checks.js'
import type {RunDiff} from '../engine/diff.js'
import {DEFAULT_STALE_AFTER_DAYS} from '../engine/evidence.js'
import {isCollected} from '../model/host-status.js'
import type {ResultsHistory} from '../model/results.js'
import type {Snapshot} from '../model/snapshot.js'
import type {RunRecord, Store} from '../store/store.js'
import {diffStored, storedSide, type DiffSource} from './diff-stored.js'
import {DAY_MS} from '../model/days.js'

export interface HistoryOptions {
  /** A host last collected longer than this many days before the run started is stale. Default DEFAULT_STALE_AFTER_DAYS (7). */
  staleAfterDays?: number
  /** How many runs the trend shows, this one included. Default 30. */
  trendRuns?: number
}

type Changes = NonNullable<ResultsHistory['changes']>

/** The run a history is of, as its writer or reader has it in memory. */
export interface RunInMemory {
  id: number
  snapshots: readonly Snapshot[]
  /** Its check results as stored with it; undefined when it was stored without judging. */
  results?: readonly CheckResult[]
}

/**
 * Orders strings as SQLite's BINARY collation does (UTF-8 bytes, that is code points), which orders the store's rows.
 * UTF-16 code units agree with it except that a surrogate (a code point above U+FFFF) comes after U+E000–U+FFFF.
 */
function binary(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const sx = x >= 0xd800 && x <= 0xdfff
    return sx === (y >= 0xd800 && y <= 0xdfff) ? x - y : sx ? 1 : -1
  }
  return a.length - b.length
}

/** A run in memory as a diff reads it: its results in the store's order (host, pack, check), as a stored run gives them. */
function memorySource(run: RunRecord, current: RunInMemory): DiffSource {
  const byName = new Map(current.snapshots.map((s) => [s.host.name, s]))
  const results = current.results && [...current.results].sort((x, y) => binary(x.host, y.host) || binary(x.pack, y.pack) || binary(x.check, y.check))
  return {run: {id: run.id, startedAt: run.startedAt}, hosts: [...byName.keys()], snapshot: (host) => byName.get(host)!, ...(results ? {results} : {})}
}

/** RunDiff in the result model's form: the newer run is the report's own, so only the older one is named. */
function compact(d: RunDiff): Changes {
  return {
    since: {run: d.from.id, startedAt: d.from.startedAt},
    hosts: {appeared: d.hosts.appeared, disappeared: d.hosts.disappeared, compared: d.hosts.compared},
    changed: d.changed.map((h) => ({host: h.host, hardware: h.hardware, os: h.os, packages: h.packages, notCompared: h.notCompared})),
    findings: d.findings,
    ...(d.findingsNote ? {findingsNote: d.findingsNote} : {}),
  }
}

/**
 * The history a report of run `runId` shows, as of that run (later runs are ignored): the trend of the complete
 * runs up to it, what changed since the complete run before it (diffed host by host), and every host the store
 * had tried by then with its first and last collection. Throws StoreError when the run is unknown or not complete.
 */
export async function historyFromStore(store: Store, runId: number, options: HistoryOptions = {}): Promise<ResultsHistory> {
  return history(store, runId, (run) => storedSide(store, run), options)
}

/**
 * historyFromStore of a stored run that is in memory (the audit that has just written it, a report that has read
 * it): the earlier runs come from the store, this one's snapshots and results are not read back.
 */
export async function historyOfRun(store: Store, run: RunInMemory, options: HistoryOptions = {}): Promise<ResultsHistory> {
  return history(store, run.id, async (record) => memorySource(record, run), options)
}

async function history(store: Store, runId: number, current: (run: RunRecord) => Promise<DiffSource>, options: HistoryOptions): Promise<ResultsHistory> {
  const staleAfterDays = options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS
  const trendRuns = options.trendRuns ?? 30
  const run = await store.completeRun(runId)
  // newest first (by start time, then id): this run and the ones before it
  const all = await store.listRuns()
  const upTo = all.slice(all.findIndex((r) => r.id === runId))
  const previous = upTo[1]
  const trend = upTo
    .slice(0, trendRuns)
    .reverse()
    .map((r) => ({run: r.id, startedAt: r.startedAt, score: r.score, coverage: r.coverage, hosts: r.hosts.total, collected: r.hosts.collected, failing: r.checks.fail}))

  const seen = new Map<string, {host: string; firstSeen: string | null; lastSeen: string | null; lastAttempt: string; lastStatus: string}>()
  for (const r of upTo) {
    for (const h of await store.hosts(r.id)) {
      const e = seen.get(h.host) ?? {host: h.host, firstSeen: null, lastSeen: null, lastAttempt: h.collectedAt, lastStatus: h.status}
      if (isCollected(h.status)) {
        if (e.firstSeen === null || h.collectedAt < e.firstSeen) e.firstSeen = h.collectedAt
        if (e.lastSeen === null || h.collectedAt > e.lastSeen) e.lastSeen = h.collectedAt
      }
      if (h.collectedAt > e.lastAttempt) {
        e.lastAttempt = h.collectedAt
        e.lastStatus = h.status
      }
      seen.set(h.host, e)
    }
  }
  const limit = Date.parse(run.startedAt) - staleAfterDays * DAY_MS
  return {
    staleAfterDays,
    trend,
    ...(previous ? {changes: compact(await diffStored(await storedSide(store, previous), await current(run)))} : {}),
    seen: [...seen.values()]
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
      .map((e) => ({host: e.host, firstSeen: e.firstSeen, lastSeen: e.lastSeen, lastStatus: e.lastStatus, stale: e.lastSeen === null || Date.parse(e.lastSeen) < limit})),
  }
}
