import {diffSources, type DiffSource, type RunDiff} from '../engine/diff.js'
import type {ResultsHistory} from '../model/results.js'
import type {RunRecord, Store} from '../store/store.js'

export interface HistoryOptions {
  /** A host last collected longer than this many days before the run started is stale. Default 7. */
  staleAfterDays?: number
  /** How many runs the trend shows, this one included. Default 30. */
  trendRuns?: number
}

const COLLECTED = new Set(['ok', 'partial'])
type Changes = NonNullable<ResultsHistory['changes']>

/** A run read host by host: two snapshots in memory at a time, however large the fleet. */
function diffSource(store: Store, run: RunRecord): DiffSource {
  return {
    run: {id: run.id, startedAt: run.startedAt},
    hosts: store.hosts(run.id).map((h) => h.host),
    snapshot: (host) => store.snapshot(run.id, host)!,
    ...(store.judged(run.id) ? {results: store.results(run.id)} : {}),
  }
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
export function historyFromStore(store: Store, runId: number, options: HistoryOptions = {}): ResultsHistory {
  const staleAfterDays = options.staleAfterDays ?? 7
  const trendRuns = options.trendRuns ?? 30
  const run = store.completeRun(runId)
  // newest first (by start time, then id): this run and the ones before it
  const all = store.listRuns()
  const upTo = all.slice(all.findIndex((r) => r.id === runId))
  const previous = upTo[1]
  const trend = upTo
    .slice(0, trendRuns)
    .reverse()
    .map((r) => ({run: r.id, startedAt: r.startedAt, score: r.score, coverage: r.coverage, hosts: r.hosts.total, collected: r.hosts.collected, failing: r.checks.fail}))

  const seen = new Map<string, {host: string; firstSeen: string | null; lastSeen: string | null; lastAttempt: string; lastStatus: string}>()
  for (const r of upTo) {
    for (const h of store.hosts(r.id)) {
      const e = seen.get(h.host) ?? {host: h.host, firstSeen: null, lastSeen: null, lastAttempt: h.collectedAt, lastStatus: h.status}
      if (COLLECTED.has(h.status)) {
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
  const limit = Date.parse(run.startedAt) - staleAfterDays * 86_400_000
  return {
    staleAfterDays,
    trend,
    ...(previous ? {changes: compact(diffSources(diffSource(store, previous), diffSource(store, run)))} : {}),
    seen: [...seen.values()]
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
      .map((e) => ({host: e.host, firstSeen: e.firstSeen, lastSeen: e.lastSeen, lastStatus: e.lastStatus, stale: e.lastSeen === null || Date.parse(e.lastSeen) < limit})),
  }
}
