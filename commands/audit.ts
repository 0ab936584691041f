import {Args} from '@oclif/core'

import {AuditLog} from '../src/cli/audit-log.js'
import {auditFlags} from '../src/cli/audit-flags.js'
import {BaseCommand} from '../src/cli/base-command.js'
import type {SecurityLevel} from '../src/engine/checks/level-mapping.js'
import type {FailOn} from '../src/model/severity.js'
import {renderAuditSummary, type AuditOutcome} from '../src/report/audit-summary.js'
import type {Lang} from '../src/report/locale.js'
import {runAudit} from '../src/runs/audit.js'
import {growHeapSlowly} from '../src/runs/heap-growth.js'
import {pushWarning} from '../src/cli/views/render-push.js'
import {sshConfigOption} from './hosts/validate.js'

export default class Audit extends BaseCommand {
  static override summary = 'The main job: take stock (this machine, or every host of a hosts file), check, store and report, in one command.'
  static override description =
    'Without a hosts file it audits the local machine with the built-in packs and needs no configuration. It writes ' +
    './hatang-report-YYYYMMDD-HHMM.html, stores the run, and prints a summary. For cron: a lock keeps runs from ' +
    'overlapping (the second exits 4), --log appends plain lines to a file, --quiet silences progress. ' +
    'Exit 0 when everything was collected and no finding is at or above --fail-on; 1 when one is; 3 when some hosts ' +
    'were not collected (whatever the findings: the audit is incomplete); 130 when interrupted; with --push, 7 (in place of 0 or 1) when the run could not be pushed to the centre (it stays stored here).'
  static override examples = [
    '<%= config.bin %> audit',
    '<%= config.bin %> audit hosts.yaml --lang vi -o /srv/reports',
    '<%= config.bin %> audit hosts.yaml --limit web --fail-on critical --waivers waivers.yaml',
    '<%= config.bin %> audit hosts.yaml --level 3',
    '<%= config.bin %> audit hosts.yaml --skip packages,updates --min-coverage 0',
    '<%= config.bin %> audit hosts.yaml --quiet --log /var/log/hatang/audit.log',
    '<%= config.bin %> audit hosts.yaml --quiet --site ha-noi --push postgres://hatang@centre.example/hatang',
  ]
  static override args = {file: Args.string({description: 'hosts.yaml or an Ansible inventory (default: this machine)'})}
  static override flags = auditFlags

  private auditLog: AuditLog | undefined

  /** Every error the audit ends with goes to --log too, with its exit code. */
  protected override onFailure(message: string, exit: number): void {
    this.auditLog?.line(`error: ${message}`)
    this.auditLog?.line(`exit ${exit}`)
  }

  async run(): Promise<AuditOutcome> {
    growHeapSlowly()
    const {args, flags: f} = await this.parse(Audit)
    // the log first, so that a configuration error or a held lock is logged too (with the exit code)
    this.auditLog = AuditLog.open(f.log)
    const lang = f.lang as Lang
    const hosts = {hostsFile: args.file, limit: f.limit, sshConfig: sshConfigOption(f['ssh-config']), concurrency: f.concurrency, acceptNew: f['accept-new']}
    const collecting = {quiet: f.quiet, native: f.native, commandTimeoutS: f.timeout, connectTimeoutS: f['connect-timeout'], sections: f.sections, skip: f.skip, command: `hatang ${this.argv.join(' ')}`}
    const judging = {packs: f.pack, waiversFile: f.waivers, failOn: f['fail-on'] as FailOn, minCoverage: f['min-coverage'], staleAfterDays: f['stale-after'], level: f.level as SecurityLevel | undefined}
    const output = {formats: f.format, templateDir: f.template, outputDir: f['output-dir'], store: f.store, lockFile: f.lock, lang, site: f.site, push: f.push}
    const outcome = await runAudit({...hosts, ...collecting, ...judging, ...output}, this.auditLog)
    if (!this.jsonEnabled()) this.log(renderAuditSummary(outcome, this.style().color, lang))
    if (outcome.push?.error) this.logToStderr(`warning: ${pushWarning(outcome.push)}`)
    else if (outcome.push && !this.jsonEnabled()) this.log(`pushed run ${outcome.run} to ${outcome.push.target} as centre run ${outcome.push.centreRun}`)
    process.exitCode = outcome.exitCode
    return outcome
  }
}
