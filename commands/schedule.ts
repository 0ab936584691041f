import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {CronError} from '../src/cli/cron.js'
import {invokingUser, scheduleUnits, type ScheduleUnits} from '../src/cli/schedule-units.js'
import {parseSectionFlags, sectionFlags} from '../src/cli/section-flags.js'
import {hatangDataDir, hatangStateDir} from '../src/cli/xdg-paths.js'
import {FAIL_ON_CHOICES} from '../src/model/severity.js'

export default class Schedule extends BaseCommand {
  static override summary = 'Print the crontab line, and a systemd timer + service pair, that run hatang audit on a schedule.'
  static override description =
    'Writes nothing and installs nothing: it prints what to install. Paths are made absolute (cron and systemd start ' +
    'elsewhere), the audit runs with --quiet and a --log file, and the lock of hatang audit keeps runs from overlapping. ' +
    'Run by a user other than root, the service gets User= of that user (install it as root; it runs as them).'
  static override examples = [
    '<%= config.bin %> schedule --cron "0 2 * * 1" /etc/hatang/hosts.yaml',
    '<%= config.bin %> schedule --cron @daily --output-dir /srv/reports --lang vi',
    '<%= config.bin %> schedule --cron "30 1 * * *" hosts.yaml --json',
    '<%= config.bin %> schedule --cron @daily hosts.yaml --skip packages,updates',
  ]
  static override args = {file: Args.string({description: 'hosts file to sweep (default: the local machine)'})}
  static override flags = {
    cron: Flags.string({required: true, summary: 'When: five cron fields (minute hour day month weekday) or @daily, @weekly, ….', helpValue: 'EXPR'}),
    'output-dir': Flags.string({summary: 'Where the audit writes its reports (default: <data dir>/reports).', helpValue: 'DIR'}),
    log: Flags.string({summary: 'The audit log (default: <state dir>/audit.log).', helpValue: 'FILE'}),
    store: Flags.string({summary: 'The store the audit uses (default: its own default).', helpValue: 'PATH'}),
    lang: Flags.string({options: ['vi', 'en'], summary: 'Language of the report.'}),
    'fail-on': Flags.string({options: [...FAIL_ON_CHOICES], summary: 'Passed to audit.'}),
    unit: Flags.string({default: 'hatang-audit', summary: 'Name of the systemd units.', helpValue: 'NAME'}),
    // checked now, not at 2 a.m. by cron: an unknown section is a usage error here, and audit is given catalog ids
    ...sectionFlags,
  }

  async run(): Promise<ScheduleUnits> {
    const {args, flags} = await this.parse(Schedule)
    if (!/^[A-Za-z0-9_.@-]+$/.test(flags.unit)) this.usageError(`--unit '${flags.unit}' is not a unit name`, 'use letters, digits, - _ . @')
    const selection = parseSectionFlags(flags)
    const abs = (p: string) => path.resolve(p)
    const command = [
      process.execPath,
      path.join(this.config.root, 'bin', 'run.js'),
      'audit',
      ...(args.file ? [abs(args.file)] : []),
      '--quiet',
      '--log',
      abs(flags.log ?? path.join(hatangStateDir(), 'audit.log')),
      '--output-dir',
      abs(flags['output-dir'] ?? path.join(hatangDataDir(), 'reports')),
      ...(flags.store ? ['--store', abs(flags.store)] : []),
      ...(flags.lang ? ['--lang', flags.lang] : []),
      ...(flags['fail-on'] ? ['--fail-on', flags['fail-on']] : []),
      ...(selection?.sections ? ['--sections', selection.sections.join(',')] : selection?.skip ? ['--skip', selection.skip.join(',')] : []),
    ]
    let units: ScheduleUnits
    try {
      units = scheduleUnits({cron: flags.cron, command, unit: flags.unit, user: invokingUser()})
    } catch (error) {
      if (error instanceof CronError) this.usageError(`--cron: ${error.message}`, 'e.g. --cron "0 2 * * 1" (Mondays at 02:00)')
      throw error
    }
    if (!this.jsonEnabled()) {
      this.log(
        [
          `# crontab line (crontab -e; in /etc/cron.d add the user, ${invokingUser() ?? 'root'}, after the five time fields):`,
          units.cron,
          '',
          `# /etc/systemd/system/${units.serviceFile}`,
          units.service,
          `# /etc/systemd/system/${units.timerFile}`,
          units.timer,
          `# then: systemctl daemon-reload && systemctl enable --now ${units.timerFile}`,
        ].join('\n'),
      )
    }
    return units
  }
}
