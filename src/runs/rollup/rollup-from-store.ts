import {InputError} from '../../config/input-error.js'
import {loadPacks} from '../../engine/checks/load-packs.js'
import {evidenceRule} from '../../engine/evaluate-run.js'
import type {Rollup} from '../../model/rollup.js'
import {snapshotFacts, type SnapshotFacts} from '../../model/snapshot-facts.js'
import {TOOL_VERSION} from '../../model/tool-version.js'
import {unitPath, UNIT_PATH_RULE} from '../../model/unit.js'
import type {Store} from '../../store/store.js'
import {buildRollup} from './build-rollup.js'

export interface RollupRequest {
  /** The unit's path; default the whole estate. */
  unit?: string
  /** Only runs started on or after this day (YYYY-MM-DD, UTC). */
  since?: string
  /** Staleness is measured from here; default now. */
  now?: Date
  minCoverage?: number
  staleAfterDays?: number
  /** Built-in pack names or pack files: the titles of failed checks and the estate's sync standard (default every built-in pack). */
  packs?: readonly string[]
}

/** The unit asked for, in NFC; InputError (exit 2) when it is no unit path. */
export function rollupUnit(text: string | undefined): string {
  if (text === undefined || text === '') return ''
  const path = unitPath(text.replace(/\/+$/, ''))
  if (!path) throw new InputError(`--unit ${JSON.stringify(text)} is not a unit path`, `a unit path is ${UNIT_PATH_RULE}`)
  return path
}

/** The day asked for as the ISO-8601 time it starts (UTC); InputError (exit 2) when it is no day. */
export function rollupSince(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== text) throw new InputError(`--since ${JSON.stringify(text)} is not a day`, 'give it as YYYY-MM-DD, e.g. 2026-11-01')
  return new Date(t).toISOString()
}

/**
 * The roll-up of a store (hatang report --rollup): its rows read in one transaction (Store.rollupRows), the facts of
 * each host (a row stored before the store kept them is decoded once here), made into the roll-up by buildRollup.
 */
export async function rollupFromStore(store: Store, request: RollupRequest = {}): Promise<Rollup> {
  const root = rollupUnit(request.unit)
  const since = rollupSince(request.since)
  const packs = loadPacks(request.packs)
  const rows = await store.rollupRows({unit: root, ...(since ? {since} : {})})
  const facts = new Map<string, SnapshotFacts>()
  for (const h of rows.hosts) {
    let f: SnapshotFacts | undefined
    if (h.facts !== null) {
      try {
        f = JSON.parse(h.facts) as SnapshotFacts
      } catch {
        f = undefined
      }
    }
    if (!f) {
      const snapshot = await store.snapshot(h.run_id, h.host)
      f = snapshot ? snapshotFacts(snapshot) : {}
    }
    facts.set(`${h.run_id}\u0000${h.host}`, f)
  }
  const rule = evidenceRule({now: request.now ?? new Date(), minCoverage: request.minCoverage, staleAfterDays: request.staleAfterDays})
  return buildRollup(rows, facts, {root, since: since ? since.slice(0, 10) : null, rule, packs, store: store.file, toolVersion: TOOL_VERSION})
}
