import {Args, Flags} from '@oclif/core'

import {evidenceFlags} from '../src/cli/evidence-flags.js'
import {warnEolReview} from '../src/cli/eol-review-warnings.js'
import {levelFlag} from '../src/cli/level-flag.js'
import {langFlag} from '../src/cli/lang.js'
import {StoreCommand, storeFlag} from '../src/cli/store-command.js'
import {evaluateRun} from '../src/engine/evaluate-run.js'
import type {SecurityLevel} from '../src/engine/checks/level-mapping.js'
import {loadSnapshots} from '../src/engine/load-snapshots.js'
import {DEFAULT_FAIL_ON, FAIL_ON_CHOICES, type FailOn} from '../src/model/severity.js'
import {renderCheckSummary} from '../src/report/check-summary.js'
import {levelProfileLine} from '../src/report/level-profile-line.js'
import type {Lang} from '../src/report/locale.js'
import {checkExitCode, checkOutcome, type CheckOutcome} from '../src/runs/check-outcome.js'
import {packsAndWaivers} from '../src/runs/packs-and-waivers.js'
import {storedToJudge} from '../src/runs/stored-snapshots.js'

export default class Check extends StoreCommand {
  static override summary = 'Judge snapshots against check packs: pass, fail or unknown for every check, per host.'
  static override description =
    'Reads snapshots (files from collect -o, the folder a sweep wrote, or a run of the store given by its id) and ' +
    'evaluates every check of the packs. Where a ' +
    "check's data is unavailable the result is unknown, with the reason, never pass; a host where no check applies is an error. " +
    'Waived results (--waivers) never fail the run; an expired waiver is noted and waives nothing. Each host, group and the ' +
    'whole run get a score weighted by severity. Fleet checks (the fleet-sync pack) compare hosts of a group, role or the whole ' +
    "fleet and print the expected value and the outliers: a group's declared reference (hosts file `reference:`), else the " +
    'majority, saying which; a host that was not collected is an error. Exit 1 when a failure ' +
    '(per host or across hosts) at or above --fail-on exists, or a host had no applicable check or was not collected.'
  static override examples = [
    '<%= config.bin %> check hatang-sweep-20261124-0200/',
    '<%= config.bin %> check web01.json --pack linux-server --pack ./our-rules.yaml --fail-on critical',
    '<%= config.bin %> check snap.json --lang vi --json',
    '<%= config.bin %> check snaps/ --waivers waivers.yaml',
    '<%= config.bin %> check snaps/ --level 3',
    '<%= config.bin %> check 12 --pack ./our-rules.yaml --store /var/lib/hatang/hatang.db',
  ]
  static override strict = false
  static override args = {snapshots: Args.string({required: true, description: 'snapshot files, folders of them, or a stored run id'})}
  static override flags = {
    pack: Flags.string({char: 'p', multiple: true, summary: 'A built-in pack name or a pack file (default: every built-in pack).', helpValue: 'NAME|FILE'}),
    'fail-on': Flags.string({options: [...FAIL_ON_CHOICES], default: DEFAULT_FAIL_ON, summary: 'Exit 1 when a check at or above this severity fails.'}),
    lang: langFlag('Language of titles in the summary.'),
    waivers: Flags.string({summary: 'A waivers file (YAML): approved, dated exceptions for checks on hosts or groups.', helpValue: 'FILE'}),
    level: levelFlag,
    store: storeFlag,
    ...evidenceFlags,
  }

  async run(): Promise<CheckOutcome> {
    const {argv, flags} = await this.parse(Check)
    const warn = (m: string) => this.logToStderr(m)
    const {packs, waivers, levelProfile} = packsAndWaivers({packs: flags.pack, waiversFile: flags.waivers, level: flags.level as SecurityLevel | undefined, warn})
    warnEolReview(packs)
    const args = argv as string[]
    // a run of the store is judged again with these packs and waivers, its trends against the runs before it
    const runId = this.runIdArgument(args)
    const {snapshots, history} = runId === undefined ? {snapshots: loadSnapshots(args, warn), history: undefined} : await this.withStore(flags.store, (store) => storedToJudge(store, runId, packs, warn), {create: false})
    const evaluation = evaluateRun(snapshots, packs, {waivers, minCoverage: flags['min-coverage'], staleAfterDays: flags['stale-after'], ...(history ? {history} : {})})
    const {hosts, scores, fleet, evidence} = evaluation
    if (!this.jsonEnabled()) {
      if (levelProfile) this.log(this.style().color.yellow(levelProfileLine(levelProfile, flags.lang as Lang)))
      this.log(renderCheckSummary(hosts, packs, flags.lang as Lang, this.style().color, scores, fleet, evidence.minCoverage))
    }
    process.exitCode = checkExitCode(evaluation, flags['fail-on'] as FailOn)
    return checkOutcome(packs, evaluation, levelProfile)
  }
}
