import {Args, Flags} from '@oclif/core'

import {renderFixPlan} from '../src/cli/views/render-fix-plan.js'
import {StoreCommand, storeFlag} from '../src/cli/store-command.js'
import {evidenceFlags} from '../src/cli/evidence-flags.js'
import {langFlag} from '../src/cli/lang.js'
import type {Lang} from '../src/report/locale.js'
import {SEVERITIES, type Severity} from '../src/model/severity.js'
import {fixPlanOfInput, fixPlanOfRun, type FixRequest} from '../src/runs/fix-plan-run.js'
import {FIX_FORMATS, planJson, writeFixPlan, type FixFormat, type PlanJson} from '../src/runs/write-fix-plan.js'
import {sshConfigOption} from './hosts/validate.js'

export default class Fix extends StoreCommand {
  static override summary = 'Write the fix plan of a run: an Ansible playbook and inventory, or a shell script per host.'
  static override description =
    "For every failed finding of a collected host, the check's automatic fix (Ansible builtin tasks, or POSIX sh), grouped by " +
    'the fix hosts need, safe changes first and the risky ones (sshd, firewall) last, guarded; findings without an automatic fix ' +
    'listed as manual with the reason. Waived findings, unknown results and hosts not collected get no fix. --dry-run prints the plan only.'
  static override examples = [
    '<%= config.bin %> fix 12 -o fixes/',
    '<%= config.bin %> fix 12 --dry-run',
    '<%= config.bin %> fix 12 --check ssh.max-auth-tries --check sysctl.ip-forward -o fixes/',
    '<%= config.bin %> fix 12 --severity high --limit web -o fixes/ && ansible-playbook -i fixes/inventory.yml fixes/site.yml',
    '<%= config.bin %> fix report/results.json --format sh -o fixes/',
  ]
  static override strict = false
  static override args = {input: Args.string({description: 'a stored run id, a results.json, snapshot files or a sweep folder', required: true})}
  static override flags = {
    output: Flags.string({char: 'o', summary: 'Folder to write the plan into.', helpValue: 'DIR'}),
    check: Flags.string({summary: 'Only this check (repeatable).', helpValue: 'ID', multiple: true}),
    'dry-run': Flags.boolean({summary: "Check mode: print the plan (what changes on which host) and write nothing."}),
    severity: Flags.string({options: [...SEVERITIES], summary: 'Only findings at or above this severity.'}),
    limit: Flags.string({char: 'l', summary: 'Only these hosts (as sweep --limit).', helpValue: 'PATTERN'}),
    format: Flags.string({options: [...FIX_FORMATS], default: 'ansible', summary: 'ansible: site.yml, inventory.yml, fixes/*.yml; sh: sh/HOST.sh.'}),
    hosts: Flags.string({summary: 'The hosts file the hosts are reached by (default: the one the run recorded).', helpValue: 'FILE'}),
    'ssh-config': Flags.string({summary: "ssh_config to consult; 'none' for none.", default: '~/.ssh/config', helpValue: 'FILE'}),
    pack: Flags.string({char: 'p', multiple: true, summary: 'A built-in pack name or a pack file (default: every built-in pack).', helpValue: 'NAME|FILE'}),
    waivers: Flags.string({summary: 'A waivers file (YAML), for snapshots judged now.', helpValue: 'FILE'}),
    lang: langFlag('Language of the reasons printed.'),
    store: storeFlag,
    ...evidenceFlags,
  }

  async run(): Promise<PlanJson> {
    const {argv, flags} = await this.parse(Fix)
    if (!flags['dry-run'] && !flags.output) this.usageError('name the folder to write the plan into', 'add -o DIR, or --dry-run to print the plan only')
    const args = argv as string[]
    const request: FixRequest = {
      packs: flags.pack, waiversFile: flags.waivers, warn: (m) => this.logToStderr(m), minCoverage: flags['min-coverage'], staleAfterDays: flags['stale-after'],
      hostsFile: flags.hosts, ...sshConfigOption(flags['ssh-config']), checks: flags.check, severity: flags.severity as Severity | undefined, limit: flags.limit,
    }
    const runId = this.runIdArgument(args)
    const outcome = runId === undefined ? fixPlanOfInput(args, request) : await this.withStore(flags.store, (store) => fixPlanOfRun(store, runId, request), {create: false})
    const generatedAt = new Date().toISOString()
    const plan = planJson(outcome, generatedAt)
    const files = flags['dry-run'] ? [] : await writeFixPlan(outcome, flags.format as FixFormat, flags.output!, generatedAt)
    if (!this.jsonEnabled()) this.log(renderFixPlan(plan, flags.lang as Lang, flags['dry-run'] ? undefined : {dir: flags.output!, format: flags.format, files: files.length}))
    return plan
  }
}
