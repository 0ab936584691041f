import type {Severity} from './severity.js'

/**
 * The roll-up of an estate (hatang report --rollup): the latest complete run of every site under a unit, as a unit tree
 * with each unit's score and coverage, its failed checks by severity, its hosts not collected and how old its data is;
 * the synchronization checks across the whole estate; each unit's trend; and every host for the drill-down. Built by
 * src/runs/rollup (from a store), rendered by src/report/rollup (HTML, CSV) and written as it is (JSON). Plain data.
 */

/** Bumped on any change to the roll-up's shape: major when a reader of the old one would break. */
export const ROLLUP_SCHEMA_VERSION = '1.0.0'

/** A score with its coverage, as src/engine/scores.ts computes it (structurally its Score). */
export interface RollupScore {
  score: number | null
  coverage: number | null
  passedWeight: number
  failedWeight: number
  counts: {pass: number; fail: number; unknown: number; waived: number; notApplicable: number}
}

/** A name in both languages (a unit the inventory names in neither is known by its path in both). */
export interface Bilingual {
  vi: string
  en: string
}

/** Failed checks (host checks and the units' own fleet findings) counted by severity. */
export type SeverityCounts = Record<Severity, number>

/** One point of a unit's trend: the unit as of the end of a day on which one of its sites finished a run. */
export interface TrendPoint {
  /** The day, YYYY-MM-DD (UTC). */
  day: string
  score: number | null
  coverage: number | null
  hosts: number
}

export interface RollupUnit {
  /** The unit's path; '' for the whole estate (the root when no --unit was given). */
  path: string
  name: Bilingual
  /** The unit above it in the tree, or null for the root. */
  parent: string | null
  /** 0 for the root. */
  depth: number
  /**
   * Every result of its hosts pooled, with the fleet findings of runs whose hosts all lie in it (the same formula as a
   * site's report: a unit whose hosts are one site's run has that report's score and coverage).
   */
  score: RollupScore
  hosts: {
    total: number
    /** Collected (ok or partial). */
    collected: number
    /** Not collected (unreachable, timeout, auth-failed…). */
    notCollected: number
    /** Judged on too little evidence (not collected, coverage below the floor, stale): never counted as compliant. */
    insufficient: number
  }
  /** Failed checks by severity. */
  failed: SeverityCounts
  /** The sites whose latest run has hosts in it. */
  sites: string[]
  /** The oldest and newest collection of its hosts (ISO-8601), null when it has no host. */
  oldest: string | null
  newest: string | null
  /** Whole days between its oldest collection and the roll-up's `now`; stale when beyond the rule's limit. */
  ageDays: number | null
  stale: boolean
  trend: TrendPoint[]
  /** Child units' paths, worst first (see `rank`). */
  children: string[]
  /** 1 = the worst unit of the estate: insufficient data first, then the lowest score, then the most critical failures. */
  rank: number
}

export interface RollupHost {
  host: string
  /** The unit's path ('' when its snapshot names none). */
  unit: string
  site: string
  /** The run it comes from (its UUID, the same at the site and the centre). */
  run: string
  status: string
  /** Why it was not collected, first line. */
  reason: string | null
  collectedAt: string
  score: number | null
  coverage: number | null
  /** Why its verdict rests on too little evidence, when it does. */
  insufficient: string | null
  failed: SeverityCounts
  /** The checks it failed, as `pack/check` keys of `checks`. */
  failing: string[]
  os: string | null
  kernel: string | null
  /** Host clock minus auditor clock, ms. */
  skewMs: number | null
}

export interface RollupSite {
  site: string
  /** The hosts file of its run, as the site gave it: a site auditing from two hosts files has a latest run of each. */
  hostsFile?: string
  run: string
  /** The run's id in the store the roll-up was read from. */
  runId: number
  startedAt: string
  finishedAt: string | null
  toolVersion: string
  hosts: number
  /** Its hosts' units. */
  units: string[]
}

/** One synchronization check across the whole estate. */
export interface RollupSync {
  /** os-release, key-package, kernel, clock-skew. */
  check: string
  severity: Severity
  /** What was compared, e.g. "OS release", "package openssl [debian 12]", "clock skew". */
  subject: string
  status: 'pass' | 'fail' | 'unknown'
  /** The value most hosts share and how many hosts have it. */
  majority: {value: string; hosts: number} | null
  /** Hosts that differ, by unit: how many, and their values with a few of their hosts. */
  units: {unit: string; hosts: number; values: {value: string; hosts: string[]}[]}[]
  /** Hosts that differ in all. */
  outliers: number
  /** Hosts with no data for it. */
  unknown: number
  /** One line for the reader, in English (titles come from locales). */
  reason: string
}

export interface Rollup {
  schemaVersion: string
  /** When the roll-up was made: staleness is measured from here. */
  now: string
  toolVersion: string
  /** Where it was read: host:port/database or the SQLite file (never a password). */
  store: string
  /** The unit asked for ('' = the whole estate). */
  root: string
  /** Only runs started on or after this day (YYYY-MM-DD), when asked. */
  since: string | null
  evidence: {minCoverage: number; staleAfterDays: number}
  /** Every unit of the tree, the root first, then depth-first with the worst child first. */
  units: RollupUnit[]
  sites: RollupSite[]
  /** Every host of the latest runs under the root, by unit then name. */
  hosts: RollupHost[]
  sync: RollupSync[]
  /** The checks hosts failed, by `pack/check`: severity and title in both languages (titles from the packs, else the id). */
  checks: Record<string, {severity: Severity; title: Bilingual}>
}

/**
 * The units whose data is stale where it is stale: those with no stale unit below them (a unit above a stale one is
 * stale through it, and naming it again says nothing more). In the order given. Pure.
 */
export function staleUnits(units: readonly RollupUnit[]): RollupUnit[] {
  const stale = new Set(units.filter((u) => u.stale && u.hosts.total > 0).map((u) => u.path))
  return units.filter((u) => stale.has(u.path) && !u.children.some((c) => stale.has(c)))
}
