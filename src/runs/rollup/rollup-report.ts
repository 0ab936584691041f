import {ExitCode} from '../../cli/exit-codes.js'
import {staleUnits, type Rollup} from '../../model/rollup.js'
import type {Lang} from '../../report/locale.js'
import type {ReportFormat} from '../../report/render-reports.js'
import {renderRollupReports, ROLLUP_FORMATS} from '../../report/rollup/render-rollup.js'
import type {Store} from '../../store/store.js'
import {writeRenderedFiles, type WrittenFile} from '../report-files.js'
import {rollupFromStore, type RollupRequest} from './rollup-from-store.js'

/** What `report --rollup` did: its files and the figures a script reads (--json), with its exit code. */
export interface RollupOutcome {
  files: WrittenFile[]
  root: string
  score: number | null
  coverage: number | null
  units: number
  sites: number
  hosts: {total: number; collected: number; notCollected: number; insufficient: number}
  /** The stale units where they are stale (staleUnits: none with a stale unit below it). */
  staleUnits: string[]
  exit: ExitCode
}

/** A --format problem for a roll-up: the formats it writes (html, json, csv), or what is wrong. Pure. */
export function rollupFormats(formats: readonly ReportFormat[]): string | undefined {
  const bad = formats.filter((f) => !(ROLLUP_FORMATS as readonly string[]).includes(f))
  return bad.length > 0 ? `--rollup writes ${ROLLUP_FORMATS.join(', ')}, not ${bad.join(', ')}` : undefined
}

/** A StoreError-like error with the exit code of "insufficient data": the roll-up found nothing to show. */
export class NothingToRollUp extends Error {
  readonly exitCode = ExitCode.InsufficientData
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message)
  }
}

/**
 * The roll-up of a store written as files (hatang report --rollup): every format asked for rendered, then written. Exit 6
 * (insufficient data) when a host under the root has too little evidence or a unit's data is stale: the committee reads
 * that the picture is incomplete; nothing under the unit at all is an error with that code and writes nothing.
 */
export async function writeRollup(store: Store, request: RollupRequest, o: {formats: readonly ReportFormat[]; lang: Lang; dir: string; templateDir?: string}): Promise<RollupOutcome> {
  const rollup = await rollupFromStore(store, request)
  const root = rollup.units[0]!
  if (root.hosts.total === 0) {
    const where = rollup.root === '' ? 'in the store' : `under unit ${rollup.root}`
    throw new NothingToRollUp(`no complete run ${where}${rollup.since ? ` since ${rollup.since}` : ''} (${store.file})`, "push the sites' runs with 'hatang push --to', or check --unit and --since")
  }
  const files = await writeRenderedFiles(() => renderRollupReports(rollup, o), o)
  return {files, ...figures(rollup)}
}

function figures(rollup: Rollup): Omit<RollupOutcome, 'files'> {
  const root = rollup.units[0]!
  const stale = staleUnits(rollup.units).map((u) => u.path)
  const short = root.hosts.insufficient > 0 || stale.length > 0
  return {
    root: rollup.root,
    score: root.score.score,
    coverage: root.score.coverage,
    units: rollup.units.length,
    sites: rollup.sites.length,
    hosts: root.hosts,
    staleUnits: stale,
    exit: short ? ExitCode.InsufficientData : ExitCode.Ok,
  }
}
