import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const SYSLOG_DAEMONS = ['rsyslogd', 'syslog-ng', 'syslogd'] as const

/** System logging beside the kernel audit: syslog daemons, the journal's storage, forwarding to a log server. */
export const LoggingSchema = Obj({
  /** Syslog daemons installed, each running or not. */
  syslog: Arr(Obj({name: StringEnum(SYSLOG_DAEMONS), running: Bool()})),
  journald: Obj({
    running: Bool(),
    /** Storage= of journald.conf after its drop-ins; auto when no file sets it. */
    storage: Str(),
    /** /var/log/journal exists (with Storage=auto the journal is then kept on disk). */
    journalDir: Bool(),
    /** The journal is written to disk: Storage=persistent, or auto with /var/log/journal. */
    persistent: Bool(),
  }),
  /** Remote log destinations written in rsyslog or syslog-ng configuration (host as written). */
  forwarding: Arr(Obj({file: Str(), target: Str()})),
})
export type LoggingData = Static<typeof LoggingSchema>

export const AuditSchema = Obj({
  /** auditd is installed. */
  installed: Bool(),
  running: Bool(),
  pids: Arr(NonNegInt()),
  /** The kernel's audit is on (auditctl -s: enabled 1 or 2). Root only. */
  enabled: Opt(Bool()),
  /** enabled 2: the configuration is immutable until reboot. */
  locked: Opt(Bool()),
  /** What the kernel does on a critical error: 0 silent, 1 printk, 2 panic. */
  failureMode: Opt(NonNegInt()),
  backlogLimit: Opt(NonNegInt()),
  lost: Opt(NonNegInt()),
  /** Rules loaded in the kernel (auditctl -l). Root only. */
  rules: Opt(NonNegInt()),
  logging: Opt(LoggingSchema),
})
export type AuditData = Static<typeof AuditSchema>

export const auditSection = defineSection({
  id: 'audit',
  title: 'Audit daemon',
  version: 1,
  schema: AuditSchema,
  upgrades: [],
})
