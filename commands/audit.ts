import path from 'node:path'

import {Args, Flags, type Interfaces} from '@oclif/core'
import {Chalk} from 'chalk'

import {probes} from '../inventory/index.js'
import {AuditLog} from '../src/cli/audit-log.js'
import {ExitCode} from '../src/cli/exit-codes.js'
import {fsProblem} from '../src/cli/fs-problem.js'
import {outputStyle} from '../src/cli/output-style.js'
import {lineProgress, silentProgress, taskProgress} from '../src/cli/progress.js'
import {acquireRunLock, type RunLock} from '../src/cli/run-lock.js'
import {listenForStop} from '../src/cli/stop-signals.js'
import {sweepSession} from '../src/cli/sweep-session.js'
import {formatWarning, groupWarnings} from '../src/hosts/inventory-warnings.js'
import {collectHost} from '../src/collect/collect-host.js'
import {loadNativeCollectors, nativeSectionIds} from '../src/collect/native/sections.js'
import {isCollected} from '../src/collect/sweep.js'
import {loadPacks} from '../src/engine/checks/load-packs.js'
import {SEVERITIES, type Pack, type Severity} from '../src/engine/checks/pack.js'
import {evaluateRun} from '../src/engine/evaluate-run.js'
import {loadWaivers, type Waiver} from '../src/engine/waivers.js'
import {ConfigError} from '../src/hosts/config-error.js'
import {loadInventory} from '../src/hosts/load-inventory.js'
import type {HostSpec} from '../src/hosts/model.js'
import {LimitError, selectHosts} from '../src/hosts/select.js'
import type {Snapshot} from '../src/model/snapshot.js'
import {countFindings, findingsAtOrAbove, renderAuditSummary, topFindings, type AuditOutcome} from '../src/report/audit-summary.js'
import {LocalTransport} from '../src/transport/local-transport.js'
import {TOOL_VERSION} from '../src/collect/tool-version.js'
import {writeFileAtomic} from '../src/cli/write-atomic.js'
import {buildResults} from '../src/runs/build-results.js'
import {historyFromStore} from '../src/runs/history-from-store.js'
import {TemplateError} from '../src/report/template-error.js'
import {parseFormats, REPORT_FORMATS, renderReports, type ReportFormat} from '../src/report/write-reports.js'
import {StoreCommand, storeFlag} from '../src/cli/store-command.js'
import {defaultStorePath} from '../src/store/store-path.js'
import {openStore, type RunWriter, type Store} from '../src/store/store.js'
import {hostname, userInfo} from 'node:os'
import {existsSync} from 'node:fs'
import {sshConfigOption} from './hosts/validate.js'
import {langFlag} from '../src/cli/lang.js'
import {evidenceFlags} from '../src/cli/evidence-flags.js'

/** A check's title in a language, by pack and id (the id when no pack has it). */
function titleOf(packs: readonly Pack[], lang: 'vi' | 'en'): (pack: string, check: string) => string {
  const titles = new Map(packs.flatMap((p) => p.checks.map((c) => [`${p.pack}/${c.id}`, c.title[lang]] as const)))
  return (pack, check) => titles.get(`${pack}/${check}`) ?? check
}

const stamp = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`
}

/** What one audit works with, decided before it starts: configuration read, lock held, store open. */
interface AuditPlan {
  file: string | undefined
  flags: Interfaces.InferredFlags<typeof Audit.flags>
  /** The hosts to sweep; undefined: this machine. */
  hosts: HostSpec[] | undefined
  packs: Pack[]
  waivers: Waiver[]
  formats: ReportFormat[]
  log: AuditLog
  store: Store
}

export default class Audit extends StoreCommand {
  static override summary = 'The main job: take stock (this machine, or every host of a hosts file), check, store and report, in one command.'
  static override description =
    'Without a hosts file it audits the local machine with the built-in packs and needs no configuration. It writes ' +
    './hatang-report-YYYYMMDD-HHMM.html, stores the run, and prints a summary. For cron: a lock keeps runs from ' +
    'overlapping (the second exits 4), --log appends plain lines to a file, --quiet silences progress. ' +
    'Exit 0 when everything was collected and no finding is at or above --fail-on; 1 when one is; 3 when some hosts ' +
    'were not collected (whatever the findings: the audit is incomplete); 130 when interrupted.'
  static override examples = [
    '<%= config.bin %> audit',
    '<%= config.bin %> audit hosts.yaml --lang vi -o /srv/reports',
    '<%= config.bin %> audit hosts.yaml --limit web --fail-on critical --waivers waivers.yaml',
    '<%= config.bin %> audit hosts.yaml --quiet --log /var/log/hatang/audit.log',
  ]
  static override args = {file: Args.string({description: 'hosts.yaml or an Ansible inventory (default: this machine)'})}
  static override flags = {
    'output-dir': Flags.string({char: 'o', default: '.', summary: 'Folder for the report.', helpValue: 'DIR'}),
    format: Flags.string({char: 'f', default: 'html', summary: `Report formats, comma-separated: ${REPORT_FORMATS.join(', ')}.`, helpValue: 'LIST'}),
    template: Flags.string({summary: 'A folder of templates, styles or locales overriding the built-in ones.', helpValue: 'DIR'}),
    store: storeFlag,
    lang: langFlag('Language of the report and summary.'),
    pack: Flags.string({char: 'p', multiple: true, summary: 'A built-in pack name or a pack file (default: every built-in pack).', helpValue: 'NAME|FILE'}),
    waivers: Flags.string({summary: 'A waivers file (YAML).', helpValue: 'FILE'}),
    'fail-on': Flags.string({options: [...SEVERITIES, 'none'], default: 'high', summary: 'Exit 1 when a finding at or above this severity exists.'}),
    log: Flags.string({summary: 'Append plain, timestamped lines about the run to this file.', helpValue: 'FILE'}),
    quiet: Flags.boolean({char: 'q', summary: 'No progress output (the summary is still printed).'}),
    lock: Flags.string({summary: 'Lock file that keeps audits from overlapping (default: the store file + .lock).', helpValue: 'FILE'}),
    limit: Flags.string({char: 'l', summary: 'Only these hosts (as sweep --limit).', helpValue: 'PATTERN'}),
    concurrency: Flags.integer({char: 'c', default: 50, min: 1, max: 2000, summary: 'Hosts collected at once.'}),
    timeout: Flags.integer({default: 10, min: 1, max: 3600, summary: 'Seconds each probe command may run.', helpValue: 'SECONDS'}),
    'connect-timeout': Flags.integer({default: 10, min: 1, max: 600, summary: 'Seconds to connect to a host.', helpValue: 'SECONDS'}),
    'accept-new': Flags.boolean({summary: 'Record host keys of hosts never seen before (changed keys are still refused).'}),
    'ssh-config': Flags.string({summary: "ssh_config to consult; 'none' for none.", default: '~/.ssh/config', helpValue: 'FILE'}),
    native: Flags.boolean({default: true, allowNo: true, summary: 'Local machine: read hardware with systeminformation.'}),
    ...evidenceFlags,
  }

  private auditLog: AuditLog | undefined

  /** Every error the audit ends with goes to --log too, with its exit code. */
  protected override onFailure(message: string, exit: number): void {
    this.auditLog?.line(`error: ${message}`)
    this.auditLog?.line(`exit ${exit}`)
  }

  async run(): Promise<AuditOutcome> {
    const {args, flags} = await this.parse(Audit)
    // the log first, so that a configuration error or a held lock is logged too (with the exit code)
    const log = (this.auditLog = AuditLog.open(flags.log))
    // configuration next: an error here exits 2 having written nothing else
    let packs: Pack[]
    let waivers: Waiver[] = []
    let hosts: HostSpec[] | undefined
    try {
      packs = loadPacks(flags.pack)
      if (flags.waivers) waivers = loadWaivers(flags.waivers)
      if (args.file) hosts = selectHosts(loadInventory(args.file, sshConfigOption(flags['ssh-config'])), flags.limit)
    } catch (error) {
      if (error instanceof ConfigError) this.usageError(error.all().map((e) => e.format()).join('\n'))
      if (error instanceof LimitError) this.usageError(error.message, `run 'hatang hosts list ${args.file}'`)
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.usageError(`${(error as NodeJS.ErrnoException).path}: no such file`)
      throw error
    }
    if (hosts?.length === 0) this.usageError(`no host in ${args.file} matches --limit ${flags.limit}`, `run 'hatang hosts list ${args.file}'`)
    if (!args.file && flags.limit) this.usageError('--limit needs a hosts file')
    const {formats, problem} = parseFormats(flags.format)
    if (problem) this.usageError(problem.message, problem.hint)
    if (flags.template && !existsSync(flags.template)) this.usageError(`--template ${flags.template}: no such folder`)
    const storePath = path.resolve(flags.store || defaultStorePath())

    const lockFile = path.resolve(flags.lock ?? `${storePath}.lock`)
    let lock: RunLock
    try {
      lock = acquireRunLock(lockFile, `hatang ${this.argv.join(' ')}`)
    } catch (error) {
      return this.fail(error)
    }
    let store: Store | undefined
    try {
      store = openStore(storePath)
      return await this.audit({file: args.file, flags, hosts, packs, waivers, log, store, formats})
    } catch (error) {
      return this.fail(error, storePath)
    } finally {
      store?.close()
      lock.release()
    }
  }

  private async audit(plan: AuditPlan): Promise<AuditOutcome> {
    const startedAt = new Date()
    const writer: RunWriter = plan.store.beginRun({source: 'audit', ...(plan.file ? {hostsFile: path.resolve(plan.file)} : {}), toolVersion: TOOL_VERSION, startedAt})
    try {
      return await this.auditRun(plan, writer, startedAt)
    } catch (error) {
      writer.abandon(`audit failed: ${(error as Error).message}`)
      throw error
    }
  }

  private async auditRun(plan: AuditPlan, writer: RunWriter, startedAt: Date): Promise<AuditOutcome> {
    const {file, flags, hosts, packs, waivers, log, store, formats} = plan
    log.line(`start: ${file ? `${hosts!.length} hosts of ${path.resolve(file)}` : 'this machine'}; packs ${packs.map((p) => `${p.pack}@${p.version}`).join(', ')}`)
    const snapshots: Snapshot[] = []
    let interrupted = false
    // what the inventory asks that hatang does not do (ignored ssh options, missing key files): in the log too
    for (const w of hosts ? groupWarnings(hosts) : []) log.line(`inventory: ${formatWarning(w, new Chalk({level: 0}))}`)
    if (hosts) {
      const r = await sweepSession(hosts, {
        concurrency: flags.concurrency,
        commandTimeoutS: flags.timeout,
        connectTimeoutS: flags['connect-timeout'],
        acceptNew: flags['accept-new'],
        quiet: flags.quiet,
        onHostDone: (o) => {
          snapshots.push(o.snapshot)
          writer.addSnapshot(o.snapshot)
          log.line(`host ${o.host.name}: ${o.status}${o.reason ? ` — ${o.reason.split('\n')[0]}` : ''}`)
        },
      })
      interrupted = r.interrupted
    } else {
      // Ctrl-C or SIGTERM lets this machine's collection finish: it is stored and reported, and the audit exits 130
      const stop = listenForStop('finishing this machine, then storing and reporting it')
      snapshots.push(await this.collectLocal(flags.quiet, flags.native, flags.timeout).finally(() => stop.release()))
      interrupted = stop.received
      writer.addSnapshot(snapshots[0]!)
      log.line(`host ${snapshots[0]!.host.name}: ${snapshots[0]!.host.status}`)
    }
    if (interrupted) log.line('interrupted (Ctrl-C or SIGTERM): the hosts under way were finished, no other was started')

    const evaluation = evaluateRun(snapshots, packs, {waivers, minCoverage: flags['min-coverage'], staleAfterDays: flags['stale-after']})
    const failOn = flags['fail-on'] as Severity | 'none'
    const findings = countFindings(evaluation)
    const blocking = findingsAtOrAbove(findings, failOn)
    const notCollected = snapshots.filter((s) => !isCollected(s.host.status)).map((s) => ({name: s.host.name, status: s.host.status, ...(s.host.reason ? {reason: s.host.reason} : {})}))
    // hosts judged on too little evidence, the uncollected ones included: never compliant
    const insufficient = evaluation.hosts.filter((h) => h.insufficient).map((h) => ({name: h.host, reason: h.insufficient!}))
    const record = writer.finish({evaluation})
    const results = buildResults({
      snapshots,
      packs,
      evaluation,
      waivers,
      run: {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        toolVersion: TOOL_VERSION,
        operator: `${userInfo().username}@${hostname()}`,
        source: file ? path.resolve(file) : 'this machine',
        ...(file ? {hostsFile: path.resolve(file)} : {}),
      },
      // the trend of the runs so far and what changed since the previous complete run
      history: historyFromStore(store, record.id, {staleAfterDays: flags['stale-after']}),
    })
    this.warnDamaged(store, (l) => log.line(l))
    const files = await this.writeReports(results, formats, flags, stamp(startedAt))
    const exitCode = interrupted
      ? ExitCode.Interrupted
      : notCollected.length > 0
        ? ExitCode.Unreachable
        : insufficient.length > 0 // here: every host collected, some on too little evidence
          ? ExitCode.InsufficientData
          : blocking > 0
            ? ExitCode.Findings
            : ExitCode.Ok
    const outcome: AuditOutcome = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      hosts: {total: snapshots.length, collected: snapshots.length - notCollected.length, notCollected},
      interrupted,
      failOn,
      findings,
      blocking,
      top: topFindings(evaluation, titleOf(packs, flags.lang as 'vi' | 'en'), failOn),
      score: evaluation.scores.overall.score,
      coverage: evaluation.scores.overall.coverage,
      minCoverage: evaluation.evidence.minCoverage,
      insufficient,
      files,
      run: String(record.id),
      exitCode,
    }
    log.line(renderAuditSummary(outcome, new Chalk({level: 0})))
    log.line(`exit ${exitCode}`)
    if (!this.jsonEnabled()) this.log(renderAuditSummary(outcome, this.style().color, flags.lang as 'vi' | 'en'))
    process.exitCode = exitCode
    return outcome
  }

  /**
   * The reports, named hatang-report-YYYYMMDD-HHMM.* in the output folder, each written atomically. A second audit
   * within the same minute never overwrites the first one's reports: it adds -2, -3, … to the name.
   */
  private async writeReports(results: Parameters<typeof renderReports>[0], formats: ReportFormat[], flags: Interfaces.InferredFlags<typeof Audit.flags>, when: string): Promise<string[]> {
    const dir = path.resolve(flags['output-dir'])
    const namesOf = (base: string): Record<string, string> => ({'hatang-report.html': `${base}.html`, 'results.json': `${base}.json`, 'summary.md': `${base}.md`, 'junit.xml': `${base}-junit.xml`})
    let rendered
    try {
      rendered = renderReports(results, {formats, lang: flags.lang as 'vi' | 'en', ...(flags.template ? {templateDir: flags.template} : {})})
    } catch (error) {
      if (error instanceof TemplateError && flags.template) this.usageError(`--template ${flags.template}: ${error.message}`, 'fix the template or leave --template out')
      throw error
    }
    let base = `hatang-report-${when}`
    const target = (b: string, name: string) => path.join(dir, namesOf(b)[name] ?? `${b}-${name}`)
    for (let n = 2; rendered.some((r) => existsSync(target(base, r.name))); n++) base = `hatang-report-${when}-${n}`
    const names = namesOf(base)
    const files: string[] = []
    for (const r of rendered) {
      const file = path.join(dir, names[r.name] ?? `${base}-${r.name}`)
      try {
        await writeFileAtomic(file, r.content)
      } catch (error) {
        this.exitWith(ExitCode.Output, `cannot write ${file}: ${fsProblem(error, file)}`, "the run is stored; choose another folder with -o, or 'hatang report RUN' later")
      }
      files.push(file)
    }
    return files
  }

  private async collectLocal(quiet: boolean, native: boolean, timeoutS: number): Promise<Snapshot> {
    const transport = new LocalTransport()
    const style = outputStyle(process.stderr)
    const progress = quiet ? silentProgress() : style.interactive ? await taskProgress(transport.target, probes) : lineProgress(transport.target, style)
    const snapshot = await collectHost(transport, {
      ...(native ? {nativeLoader: {ids: nativeSectionIds, load: loadNativeCollectors}} : {}),
      commandTimeoutMs: timeoutS * 1000,
      onProbeStart: (p) => progress.start(p),
      onProbeDone: (e) => progress.done(e),
    })
    await progress.finish()
    return snapshot
  }
}
