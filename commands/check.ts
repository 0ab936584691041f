import {readFileSync} from 'node:fs'

import {Args, Flags} from '@oclif/core'

import {ExitCode} from '../src/cli/exit-codes.js'
import {loadPacks} from '../src/engine/checks/load-packs.js'
import {SEVERITIES, type Pack} from '../src/engine/checks/pack.js'
import type {HostResults} from '../src/engine/checks/run-checks.js'
import {evaluateRun, type RunEvaluation} from '../src/engine/evaluate-run.js'
import {InputError, loadSnapshots} from '../src/engine/load-snapshots.js'
import type {FleetFinding} from '../src/engine/fleet/types.js'
import type {Scores} from '../src/engine/scores.js'
import {loadWaivers, unknownChecks, type Waiver} from '../src/engine/waivers.js'
import {ConfigError} from '../src/hosts/config-error.js'
import type {Snapshot} from '../src/model/snapshot.js'
import {renderCheckSummary, SEVERITY_ORDER} from '../src/report/check-summary.js'
import {StoreCommand, storeFlag} from '../src/cli/store-command.js'
import {langFlag} from '../src/cli/lang.js'
import {evidenceFlags} from '../src/cli/evidence-flags.js'

export default class Check extends StoreCommand {
  static override summary = 'Judge snapshots against check packs: pass, fail or unknown for every check, per host.'
  static override description =
    'Reads snapshots (files from collect -o, the folder a sweep wrote, or a run of the store given by its id) and ' +
    'evaluates every check of the packs. Where a ' +
    "check's data is unavailable the result is unknown, with the reason, never pass; a host where no check applies is an error. " +
    'Waived results (--waivers) never fail the run; an expired waiver is noted and waives nothing. Each host, group and the ' +
    'whole run get a score weighted by severity. Fleet checks (the fleet-sync pack) compare hosts of a group, role or the whole ' +
    'fleet and print the majority value and the outliers; a host that was not collected is an error. Exit 1 when a failure ' +
    '(per host or across hosts) at or above --fail-on exists, or a host had no applicable check or was not collected.'
  static override examples = [
    '<%= config.bin %> check hatang-sweep-20261124-0200/',
    '<%= config.bin %> check web01.json --pack linux-server --pack ./our-rules.yaml --fail-on critical',
    '<%= config.bin %> check snap.json --lang vi --json',
    '<%= config.bin %> check snaps/ --waivers waivers.yaml',
    '<%= config.bin %> check 12 --pack ./our-rules.yaml --store /var/lib/hatang/hatang.db',
  ]
  static override strict = false
  static override args = {snapshots: Args.string({required: true, description: 'snapshot files, folders of them, or a stored run id'})}
  static override flags = {
    pack: Flags.string({char: 'p', multiple: true, summary: 'A built-in pack name or a pack file (default: every built-in pack).', helpValue: 'NAME|FILE'}),
    'fail-on': Flags.string({options: [...SEVERITIES, 'none'], default: 'high', summary: 'Exit 1 when a check at or above this severity fails.'}),
    lang: langFlag('Language of titles in the summary.'),
    waivers: Flags.string({summary: 'A waivers file (YAML): approved, dated exceptions for checks on hosts or groups.', helpValue: 'FILE'}),
    store: storeFlag,
    ...evidenceFlags,
  }

  async run(): Promise<{packs: {pack: string; version: string; checks: number; fleet?: number}[]; hosts: HostResults[]; fleet: FleetFinding[]; scores: Scores; evidence: RunEvaluation['evidence']}> {
    const {argv, flags} = await this.parse(Check)
    let packs: Pack[]
    let waivers: Waiver[] = []
    try {
      packs = loadPacks(flags.pack)
      if (flags.waivers) waivers = this.readWaivers(flags.waivers)
    } catch (error) {
      if (error instanceof ConfigError) this.usageError(error.all().map((e) => e.format()).join('\n'))
      throw error
    }
    for (const w of unknownChecks(waivers, packs)) this.logToStderr(`warning: ${w.source} waives '${w.check}', a check no loaded pack has`)
    const args = argv as string[]
    // a run of the store is judged again with these packs and waivers
    const runId = this.runIdArgument(args)
    const snapshots = runId === undefined ? this.snapshots(args) : this.storedRun(runId, flags.store)
    const {hosts, scores, fleet, evidence} = evaluateRun(snapshots, packs, {waivers, minCoverage: flags['min-coverage'], staleAfterDays: flags['stale-after']})
    if (!this.jsonEnabled()) this.log(renderCheckSummary(hosts, packs, flags.lang as 'vi' | 'en', this.style().color, scores, fleet, evidence.minCoverage))
    const limit = flags['fail-on'] === 'none' ? -1 : SEVERITY_ORDER.indexOf(flags['fail-on'] as (typeof SEVERITY_ORDER)[number])
    const above = (r: {status: string; severity: (typeof SEVERITY_ORDER)[number]}) => r.status === 'fail' && SEVERITY_ORDER.indexOf(r.severity) <= limit
    // too little evidence outranks findings: a run that saw too little never passes for judged
    if (hosts.some((h) => h.insufficient)) process.exitCode = ExitCode.InsufficientData
    else if (hosts.some((h) => h.results.some(above)) || fleet.some(above)) process.exitCode = ExitCode.Findings
    return {packs: packs.map((p) => ({pack: p.pack, version: p.version, checks: p.checks.length, ...(p.fleet ? {fleet: p.fleet.length} : {})})), hosts, fleet, scores, evidence}
  }

  private readWaivers(file: string): Waiver[] {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      return this.usageError(`${file}: cannot read the waivers file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
    return loadWaivers(file, text)
  }

  /** The snapshots of a stored run; an interrupted run's collected hosts, with a warning. Read-only. */
  private storedRun(id: number, file: string | undefined): Snapshot[] {
    return this.withStore(
      file,
      (store) => {
        const run = store.run(id)
        if (run?.state !== 'interrupted') store.completeRun(id)
        else this.logToStderr(`warning: run ${id} was interrupted: judging the ${run.hosts.total} hosts it stored`)
        return store.snapshots(id)
      },
      {create: false},
    )
  }

  /** Every snapshot named, folders expanded (a sweep's sweep.json is not a snapshot); each validated. */
  private snapshots(args: string[]): Snapshot[] {
    try {
      return loadSnapshots(args, (m) => this.logToStderr(m))
    } catch (error) {
      if (error instanceof InputError) this.usageError(error.message, error.hint)
      throw error
    }
  }
}
