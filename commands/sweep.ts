import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {ExitCode} from '../src/cli/exit-codes.js'
import {fsProblem} from '../src/cli/fs-problem.js'
import {parseSectionFlags, sectionFlags} from '../src/cli/section-flags.js'
import {sweepSession} from '../src/cli/sweep-session.js'
import {writeFileAtomic} from '../src/files/write-atomic.js'
import type {HostOutcome, HostResult} from '../src/collect/sweep.js'
import {ConfigError} from '../src/config/config-error.js'
import {loadInventory} from '../src/hosts/load-inventory.js'
import {LimitError, selectHosts} from '../src/hosts/select.js'
import {HOST_STATUSES, isCollected} from '../src/model/host-status.js'
import type {SectionSelection} from '../src/model/section-selection.js'
import {renderSweepSummary, type SweepReport} from '../src/report/sweep-summary.js'
import {growHeapSlowly} from '../src/runs/heap-growth.js'
import {sshConfigOption} from './hosts/validate.js'

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)

export default class Sweep extends BaseCommand {
  static override summary = 'Collect every host of a hosts file over SSH, concurrently, into snapshots.'
  static override description =
    'Connects to each host (host keys verified against known_hosts), runs every probe, and writes one snapshot per host ' +
    'into the output folder as it finishes, plus sweep.json. One host failing never stops the others; each gets a status ' +
    `(${HOST_STATUSES.filter((s) => s !== 'interrupted').join(', ')}) and the reason. ` +
    '--sections or --skip choose what is collected (identity and os always are); a section left out is "skipped" in every snapshot ' +
    'and nothing is sent to the hosts for it. Ctrl-C stops starting hosts and keeps what was collected; a second Ctrl-C quits at once.'
  static override examples = [
    '<%= config.bin %> sweep hosts.yaml',
    '<%= config.bin %> sweep hosts.yaml --limit web -o /srv/audit/today',
    "<%= config.bin %> sweep inventory.ini --limit 'web*:!web03' --concurrency 100 --timeout 20",
    '<%= config.bin %> sweep hosts.yaml --accept-new --quiet --json',
    '<%= config.bin %> sweep hosts.yaml --sections os,packages,updates -o /srv/audit/patches',
    '<%= config.bin %> sweep hosts.yaml --skip packages,certificates',
  ]
  static override args = {file: Args.string({required: true, description: 'hosts.yaml, or an Ansible inventory (INI or YAML)'})}
  static override flags = {
    limit: Flags.string({char: 'l', summary: 'Only these hosts: group, host, glob, comma list, !exclude, &intersect (as Ansible).', helpValue: 'PATTERN'}),
    concurrency: Flags.integer({char: 'c', default: 50, min: 1, max: 2000, summary: 'Most hosts collected at once (fewer while the controller or the targets are saturated).'}),
    timeout: Flags.integer({default: 10, min: 1, max: 3600, summary: 'Seconds each probe command may run.', helpValue: 'SECONDS'}),
    'connect-timeout': Flags.integer({default: 10, min: 1, max: 600, summary: 'Seconds to connect to a host.', helpValue: 'SECONDS'}),
    output: Flags.string({char: 'o', summary: 'Folder for the snapshots (default ./hatang-sweep-YYYYMMDD-HHMMSS).', helpValue: 'DIR'}),
    'accept-new': Flags.boolean({summary: 'Record host keys of hosts never seen before (like StrictHostKeyChecking=accept-new); a key that cannot be recorded, and a changed key, are refused.'}),
    quiet: Flags.boolean({char: 'q', summary: 'No progress output.'}),
    'ssh-config': Flags.string({summary: "ssh_config to consult for what the inventory leaves unset; 'none' for none.", default: '~/.ssh/config', helpValue: 'FILE'}),
    ...sectionFlags,
  }

  async run(): Promise<SweepReport> {
    growHeapSlowly()
    const {args, flags} = await this.parse(Sweep)
    const selection = parseSectionFlags(flags)
    let hosts
    try {
      hosts = selectHosts(loadInventory(args.file, sshConfigOption(flags['ssh-config'])), flags.limit)
    } catch (error) {
      if (error instanceof ConfigError) this.usageError(error.format({validateHint: true}))
      if (error instanceof LimitError) this.usageError(error.message, `run 'hatang hosts list ${args.file}'`)
      throw error
    }
    if (hosts.length === 0) this.usageError(`no host in ${args.file} matches --limit ${flags.limit}`, `run 'hatang hosts list ${args.file}'`)
    const startedAt = new Date()
    const outputDir = path.resolve(flags.output ?? `hatang-sweep-${stamp(startedAt)}`)
    const files = new Map<string, string>()
    const writes: Promise<void>[] = []
    const {outcomes, interrupted} = await sweepSession(hosts, {
      concurrency: flags.concurrency,
      commandTimeoutS: flags.timeout,
      connectTimeoutS: flags['connect-timeout'],
      acceptNew: flags['accept-new'],
      quiet: flags.quiet,
      ...(selection ? {selection} : {}),
      onHostDone: (o: HostOutcome) => {
        const file = path.join(outputDir, `${o.host.name.replace(/[^A-Za-z0-9_.@-]/g, '_')}.json`)
        files.set(o.host.name, file)
        writes.push(writeFileAtomic(file, `${JSON.stringify(o.snapshot, null, 2)}\n`))
      },
    })
    const report = this.report(args.file, flags.limit, selection, outputDir, startedAt, interrupted, outcomes, files)
    try {
      await Promise.all(writes)
      await writeFileAtomic(path.join(outputDir, 'sweep.json'), `${JSON.stringify(report, null, 2)}\n`)
    } catch (error) {
      this.exitWith(ExitCode.Output, `cannot write to ${outputDir}: ${fsProblem(error, path.join(outputDir, 'x'))}`, 'choose a writable folder with -o')
    }
    if (!this.jsonEnabled()) this.log(renderSweepSummary(report, this.style().color))
    // 130 (as a shell reports SIGINT) when interrupted, 3 when some hosts were not collected
    if (report.interrupted) process.exitCode = ExitCode.Interrupted
    else if (outcomes.some((o) => !isCollected(o.status))) process.exitCode = ExitCode.Unreachable
    return report
  }

  private report(file: string, limit: string | undefined, selection: SectionSelection | undefined, outputDir: string, startedAt: Date, interrupted: boolean, outcomes: HostResult[], files: Map<string, string>): SweepReport {
    const finished = new Date()
    const counts: SweepReport['counts'] = {}
    for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1
    return {
      startedAt: startedAt.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - startedAt.getTime(),
      hostsFile: path.resolve(file),
      ...(limit ? {limit} : {}),
      ...(selection ? {selection} : {}),
      outputDir,
      interrupted,
      counts,
      hosts: outcomes.map((o) => ({
        name: o.host.name,
        address: o.host.address,
        port: o.host.port,
        status: o.status,
        ...(o.reason ? {reason: o.reason} : {}),
        ...(o.retried ? {retried: o.retried} : {}),
        durationMs: o.durationMs,
        file: files.get(o.host.name) ?? '',
      })),
    }
  }
}
