import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/**
 * The backup tools and agents recognised, in one place: `commands` are the program names matched as a word of a
 * scheduled job's command (its executable or any argument: `sh -c "restic backup"` counts); `units` are the service
 * units (systemd unit files or /etc/init.d scripts) of resident agents; `paths` are the install folders of vendor
 * agents that ship no unit under a stable name. `rsync` counts only with a remote target (`host:path`, `rsync://`).
 */
export const BACKUP_TOOLS: readonly {tool: string; commands?: readonly string[]; units?: readonly string[]; paths?: readonly string[]}[] = [
  {tool: 'restic', commands: ['restic', 'resticprofile', 'autorestic']},
  {tool: 'borg', commands: ['borg', 'borgmatic', 'borgbackup']},
  {tool: 'bacula', commands: ['bconsole'], units: ['bacula-fd', 'bacula-dir', 'bacula-sd']},
  {tool: 'bareos', commands: ['bareos-fd'], units: ['bareos-fd', 'bareos-dir', 'bareos-sd']},
  {tool: 'rsnapshot', commands: ['rsnapshot']},
  {tool: 'duplicity', commands: ['duplicity', 'duply']},
  {tool: 'duplicati', commands: ['duplicati-cli', 'duplicati-server'], units: ['duplicati']},
  {tool: 'amanda', commands: ['amdump', 'amanda'], units: ['amanda']},
  {tool: 'postgresql dump', commands: ['pg_dump', 'pg_dumpall', 'pg_basebackup', 'pg_backupcluster', 'pgbackrest', 'barman']},
  {tool: 'mysql dump', commands: ['mysqldump', 'mariadb-dump', 'mariabackup', 'mariadb-backup', 'xtrabackup', 'innobackupex', 'mydumper']},
  {tool: 'rsync to a remote target', commands: ['rsync']},
  {tool: 'Veeam', commands: ['veeamconfig'], units: ['veeamservice']},
  {tool: 'Acronis', units: ['acronis_mms', 'aakore', 'acronis_schedule'], paths: ['/usr/lib/Acronis']},
  {tool: 'Commvault', units: ['commvault', 'Galaxy'], paths: ['/opt/commvault']},
  {tool: 'NetBackup', units: ['netbackup', 'vxpbx_exchanged'], paths: ['/usr/openv/netbackup']},
  {tool: 'Arcserve', units: ['arcserve_agent', 'd2dagent'], paths: ['/opt/Arcserve']},
]

/** Longest command kept per job: enough to read what runs, short enough to bound the snapshot. */
export const COMMAND_MAX = 512

export const JOB_KINDS = ['crontab', 'user-crontab', 'run-parts', 'timer'] as const

export const ScheduledJobSchema = Obj({
  /** Where the job is declared: FILE:LINE of a crontab line, the script's path for run-parts, the unit for a timer. */
  id: Str(),
  /** crontab: /etc/crontab or /etc/cron.d; user-crontab: /var/spool/cron…; run-parts: /etc/cron.{hourly…}; timer: systemd. */
  kind: StringEnum(JOB_KINDS),
  file: Str(),
  line: Opt(NonNegInt()),
  /** The account it runs as (a timer: its service's User=, else root). */
  user: Str(),
  /** As written: five cron fields or @daily; hourly…monthly for run-parts; OnCalendar=/On…Sec= for a timer. */
  schedule: Str(),
  /** The command as written (at most COMMAND_MAX characters; `password=`-like arguments masked). */
  command: Str(),
  /** The program the job runs (its first word, past variable assignments and wrappers such as sh, nice, flock). */
  executable: Opt(Str()),
  /** That program as an absolute path (resolved with the cron PATH on the host); absent when it cannot be resolved. */
  executablePath: Opt(Str()),
  /** Owner of the executable (user name), as stat reports it. */
  owner: Opt(Str()),
  /** The executable or its folder can be written by anyone (mode o+w); absent when neither could be examined. */
  worldWritable: Opt(Bool()),
  /** The world-writable path (the file or its folder) when worldWritable. */
  writablePath: Opt(Str()),
  /** For a timer: whether it is enabled (linked in a *.wants folder). */
  enabled: Opt(Bool()),
  /** For a timer on a running systemd: next and last run (ISO). */
  next: Opt(Str()),
  last: Opt(Str()),
})
export type ScheduledJob = Static<typeof ScheduledJobSchema>

export const ScheduledSchema = Obj({
  /** A cron daemon is installed (its program, e.g. /usr/sbin/cron); jobs in crontabs run only when it is. */
  cron: Obj({installed: Bool(), program: Opt(Str())}),
  /** systemd runs (timers' next and last run known) or not (timers read from unit files). */
  systemd: Bool(),
  /** Every job found: crontab lines, run-parts scripts, timers. */
  jobs: Arr(ScheduledJobSchema),
  /** Per-user crontabs read (their owners); absent when they could not be read (needs root). */
  userCrontabs: Opt(Obj({users: Arr(Str())})),
  /** The at queue: whether at is installed, jobs waiting and their owners; absent when its folder is not readable (needs root). */
  at: Opt(Obj({installed: Bool(), jobs: NonNegInt(), owners: Arr(Str())})),
  /**
   * Backup recognised (BACKUP_TOOLS): a job whose command names a tool, or an agent installed. Absent when none
   * was recognised but some jobs could not be read: whether a backup runs is then unknown.
   */
  backup: Opt(Arr(Obj({tool: Str(), via: StringEnum(['job', 'agent'] as const), where: Str()}))),
  /** Files or folders that could not be read (needs root): what they hold is unknown. */
  unreadable: Opt(Arr(Str())),
})
export type ScheduledData = Static<typeof ScheduledSchema>

export const scheduledSection = defineSection({
  id: 'scheduled',
  title: 'Scheduled jobs',
  version: 1,
  schema: ScheduledSchema,
  upgrades: [],
})
