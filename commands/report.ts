import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {evidenceFlags} from '../src/cli/evidence-flags.js'
import {langFlag} from '../src/cli/lang.js'
import {StoreCommand, storeFlag} from '../src/cli/store-command.js'
import type {Lang} from '../src/report/locale.js'
import {parseFormats, REPORT_FORMATS} from '../src/report/render-reports.js'
import {writeReportFiles, type WrittenFile} from '../src/runs/report-files.js'
import {resultsFromInput} from '../src/runs/results-from-input.js'
import {resultsFromStore} from '../src/runs/results-from-store.js'
import {rollupFormats, writeRollup, type RollupOutcome} from '../src/runs/rollup/rollup-report.js'
import {renderRollupSummary} from '../src/cli/views/render-rollup.js'
import {ExitCode} from '../src/cli/exit-codes.js'
import {ROLLUP_FORMATS} from '../src/report/rollup/render-rollup.js'

const fileLine = (f: WrittenFile) => `${path.relative(process.cwd(), f.file) || f.file}  ${Math.ceil(f.bytes / 1024)} KB`

export default class Report extends StoreCommand {
  static override summary = 'Write the reports a review committee reads: HTML, JSON, CSV, Markdown, JUnit.'
  static override description =
    'Given snapshots or the folder a sweep wrote, judges them (built-in packs unless --pack) and renders the results; given a ' +
    "results.json (the json format's output) renders it as it is. The HTML report is one self-contained file that works " +
    'offline and makes no network request. Given a run id, renders that stored run (judged as it was stored, or now with the ' +
    'packs when it was not) with its history: the score of past runs and what changed since the previous one. Files are ' +
    'written atomically into --output.'
  static override examples = [
    '<%= config.bin %> report hatang-sweep-20261124-0200/ -o report/',
    '<%= config.bin %> report report/results.json --format html --lang en -o report-en/',
    '<%= config.bin %> report 12 --store /var/lib/hatang/hatang.db -o report/',
    '<%= config.bin %> report snaps/ --format csv,md --waivers waivers.yaml --template ./our-brand/ -o out/',
    '<%= config.bin %> report --rollup --store postgres://hatang@centre.example/hatang -o rollup/',
    '<%= config.bin %> report --rollup --unit tinh/ha-noi --since 2026-11-01 --store postgres://hatang@centre.example/hatang -o ha-noi/',
  ]
  static override strict = false
  static override args = {input: Args.string({description: 'a results.json, snapshot files, a sweep folder, or a stored run id (none with --rollup)'})}
  static override flags = {
    format: Flags.string({char: 'f', summary: `Formats, comma-separated: ${REPORT_FORMATS.join(', ')} (default all; with --rollup: ${ROLLUP_FORMATS.join(', ')}).`, helpValue: 'LIST'}),
    lang: langFlag('Language of the report.'),
    output: Flags.string({char: 'o', default: 'hatang-report', summary: 'Folder to write the reports into.', helpValue: 'DIR'}),
    pack: Flags.string({char: 'p', multiple: true, summary: 'A built-in pack name or a pack file (default: every built-in pack).', helpValue: 'NAME|FILE'}),
    waivers: Flags.string({summary: 'A waivers file (YAML).', helpValue: 'FILE'}),
    store: storeFlag,
    template: Flags.string({summary: 'A folder of templates, styles or locales/*.json overriding the built-in ones by file name.', helpValue: 'DIR'}),
    rollup: Flags.boolean({summary: 'One report of the whole estate (or --unit) from the latest complete run of every site in the store: the unit tree, estate sync, trends, every host.'}),
    unit: Flags.string({summary: 'With --rollup: only this unit and the units below it.', helpValue: 'PATH', dependsOn: ['rollup']}),
    since: Flags.string({summary: 'With --rollup: only runs started on or after this day.', helpValue: 'YYYY-MM-DD', dependsOn: ['rollup']}),
    ...evidenceFlags,
  }

  async run(): Promise<{files: WrittenFile[]} | RollupOutcome> {
    const {argv, flags} = await this.parse(Report)
    const {formats, problem} = parseFormats(flags.format ?? (flags.rollup ? ROLLUP_FORMATS : REPORT_FORMATS).join(','))
    if (problem) this.usageError(problem.message, problem.hint)
    const args = argv as string[]
    if (flags.rollup) {
      const wrong = rollupFormats(formats)
      if (wrong || args.length > 0) this.usageError(wrong ?? `--rollup reads the store, not ${args.join(' ')}`, wrong ? `choose from ${ROLLUP_FORMATS.join(', ')}` : 'leave the input out, or --rollup')
      const request = {unit: flags.unit, since: flags.since, packs: flags.pack, minCoverage: flags['min-coverage'], staleAfterDays: flags['stale-after']}
      const outcome = await this.withStore(flags.store, (store) => writeRollup(store, request, {formats, lang: flags.lang as Lang, dir: flags.output, templateDir: flags.template}), {create: false})
      if (!this.jsonEnabled()) this.log([renderRollupSummary(outcome), ...outcome.files.map(fileLine)].join('\n'))
      if (outcome.exit !== ExitCode.Ok) process.exitCode = outcome.exit
      return outcome
    }
    if (args.length === 0) this.usageError('name what to report: a results.json, snapshot files, a sweep folder or a stored run id', "or --rollup for the store's estate")
    const input = {packs: flags.pack, waiversFile: flags.waivers, warn: (m: string) => this.logToStderr(m), minCoverage: flags['min-coverage'], staleAfterDays: flags['stale-after']}
    const runId = this.runIdArgument(args)
    const results = runId === undefined ? resultsFromInput(args, input) : await this.withStore(flags.store, (store) => resultsFromStore(store, runId, input), {create: false})
    const files = await writeReportFiles(results, {formats, lang: flags.lang as Lang, dir: flags.output, templateDir: flags.template})
    if (!this.jsonEnabled()) for (const f of files) this.log(fileLine(f))
    return {files}
  }
}
