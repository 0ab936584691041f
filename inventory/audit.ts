import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {deniedByPermissions, failure, lines, notInstalled, succeeded, toInt} from './kit/probe-helpers.js'
import {pidsOf, processesOf, processTable, type ProcessInfo} from './kit/process-table.js'
import {shQuote} from '../src/model/shell-quote.js'
import {auditSection, SYSLOG_DAEMONS, type AuditData, type LoggingData} from '../src/model/sections/audit.js'

/** Parses the `state` command: `installed yes|no`. */
export function parseAuditState(text: string): {installed: boolean} {
  let installed: boolean | undefined
  for (const raw of lines(text)) {
    const i = /^installed (yes|no)$/.exec(raw.trim())
    if (i) installed = i[1] === 'yes'
  }
  if (installed === undefined) throw new ParseError('expected an "installed" line')
  return {installed}
}

export interface AuditStatus {
  enabled?: boolean
  locked?: boolean
  failureMode?: number
  backlogLimit?: number
  lost?: number
  rules?: number
}

/** Parses `auditctl -s`, a `--- rules` line, then `auditctl -l` ("No rules" or one rule a line). */
export function parseAuditctl(text: string): AuditStatus {
  const s: AuditStatus = {}
  let inRules = false
  let rules = 0
  let sawStatus = false
  for (const raw of lines(text)) {
    const line = raw.trim()
    if (line === '--- rules') {
      inRules = true
      continue
    }
    if (inRules) {
      if (line !== '' && line !== 'No rules') rules++
      continue
    }
    const m = /^([a-z_]+) (\d+)/.exec(line)
    if (!m) continue
    const v = Number(m[2])
    sawStatus = true
    if (m[1] === 'enabled') {
      s.enabled = v === 1 || v === 2
      s.locked = v === 2
    } else if (m[1] === 'failure') s.failureMode = v
    else if (m[1] === 'backlog_limit') s.backlogLimit = v
    else if (m[1] === 'lost') s.lost = v
  }
  if (!sawStatus || s.enabled === undefined) throw new ParseError('no "enabled N" in auditctl -s')
  if (inRules) s.rules = rules
  for (const k of Object.keys(s) as (keyof AuditStatus)[]) if (typeof s[k] === 'number' && !Number.isSafeInteger(s[k])) delete s[k]
  return s
}

/**
 * Parses the `logging` command: `syslog NAME` (installed), `systemd booted`, `journal dir`,
 * `journald FILE:Storage=VALUE` and `forward FILE:LINE` lines; which daemons run, from the process table.
 */
export function parseLogging(text: string, processes: readonly ProcessInfo[]): LoggingData {
  const syslog: LoggingData['syslog'] = []
  let booted = false
  let journalDir = false
  const storage: {file: string; value: string}[] = []
  const forwarding: LoggingData['forwarding'] = []
  let known = 0
  for (const [i, raw] of lines(text).entries()) {
    const line = raw.trim()
    if (line === '') continue
    const sl = /^syslog (rsyslogd|syslog-ng|syslogd)$/.exec(line)
    if (sl) {
      if (!syslog.some((x) => x.name === sl[1])) syslog.push({name: sl[1] as LoggingData['syslog'][number]['name'], running: pidsOf(processes, sl[1]!).length > 0})
    } else if (line === 'systemd booted') booted = true
    else if (line === 'journal dir') journalDir = true
    else if (line.startsWith('journald ')) {
      const m = /^journald ([^:]+):\s*Storage\s*=\s*(\S*)/.exec(line)
      if (!m) throw new ParseError(`expected "journald FILE:Storage=VALUE": ${JSON.stringify(line.slice(0, 80))}`, i + 1)
      storage.push({file: m[1]!, value: m[2]!.toLowerCase()})
    } else if (line.startsWith('forward ')) {
      const m = /^forward ([^:]+):(.*)$/.exec(line)
      if (!m) throw new ParseError(`expected "forward FILE:LINE": ${JSON.stringify(line.slice(0, 80))}`, i + 1)
      const target = forwardTarget(m[2]!)
      if (target) forwarding.push({file: m[1]!, target})
    } else throw new ParseError(`unexpected line: ${JSON.stringify(line.slice(0, 80))}`, i + 1)
    known++
  }
  void known
  // journald.conf first, then the drop-ins in the order of their names (a later one overrides)
  const main = storage.filter((s) => s.file.endsWith('/journald.conf'))
  const dropins = storage.filter((s) => !s.file.endsWith('/journald.conf')).sort((a, b) => (base(a.file) < base(b.file) ? -1 : base(a.file) > base(b.file) ? 1 : 0))
  const effective = [...main, ...dropins].filter((s) => s.value !== '').at(-1)?.value ?? 'auto'
  // journald runs as systemd-journald (the kernel cuts it to systemd-journal), where systemd booted the host
  const running = booted && pidsOf(processes, 'systemd-journald').length > 0
  return {
    syslog,
    journald: {running, storage: effective, journalDir, persistent: effective === 'persistent' || (effective === 'auto' && journalDir)},
    forwarding,
  }
}

const base = (file: string) => file.slice(file.lastIndexOf('/') + 1)

/** The remote host of a forwarding line: rsyslog `*.* @@host:514`, `action(type="omfwd" target="host")`, syslog-ng `network("host" …)`. */
export function forwardTarget(line: string): string | undefined {
  const legacy = /^\s*[^#\s$][^\s]*\s+@@?(?:\([^)]*\))?(\[[^\]]+\]|[^:;\s]+)/.exec(line)
  if (legacy) return legacy[1]
  if (/omfwd/.test(line)) return /target\s*=\s*"([^"]+)"/.exec(line)?.[1]
  return /\b(?:network|tcp6?|udp6?|syslog)\s*\(\s*"([^"]+)"/.exec(line)?.[1]
}

const LOGGING_FILES = [
  '/etc/systemd/journald.conf',
  '/usr/lib/systemd/journald.conf.d/*.conf',
  '/run/systemd/journald.conf.d/*.conf',
  '/etc/systemd/journald.conf.d/*.conf',
  '/etc/rsyslog.conf',
  '/etc/rsyslog.d/*.conf',
  '/etc/syslog-ng/syslog-ng.conf',
  '/etc/syslog-ng/conf.d/*.conf',
].join(' ')

export const LOGGING_AWK = String.raw`FILENAME ~ /journald\.conf/ { if ($0 ~ /^[ \t]*Storage[ \t]*=/) print "journald " FILENAME ":" $0; next }
/^[ \t]*[^# \t$][^ \t]*[ \t]+@/ || /^[^#]*omfwd/ || /^[^#]*(network|tcp6?|udp6?|syslog)[ \t]*\([ \t]*"/ { print "forward " FILENAME ":" $0 }`

export const auditProbe = defineProbe({
  section: auditSection,
  platforms: ['Linux'],
  grouped: true,
  commands: {
    state: 'if command -v auditd >/dev/null 2>&1; then echo installed yes; else echo installed no; fi',
    auditctl: "command -v auditctl >/dev/null 2>&1 || return 127; auditctl -s || return $?; echo '--- rules'; auditctl -l",
    logging: [
      `for d in ${SYSLOG_DAEMONS.join(' ')}; do { [ -x /usr/sbin/$d ] || [ -x /sbin/$d ] || command -v $d >/dev/null 2>&1; } && echo "syslog $d"; done`,
      '[ -d /run/systemd/system ] && echo "systemd booted"',
      '[ -d /var/log/journal ] && echo "journal dir"',
      // one awk over the journald and syslog configuration files that exist: Storage= lines, forwarding lines
      `set --; for f in ${LOGGING_FILES}; do [ -f "$f" ] && [ -r "$f" ] && set -- "$@" "$f"; done; [ $# -gt 0 ] && awk ${shQuote(LOGGING_AWK)} "$@"`,
      'return 0',
    ].join('\n'),
  },
  shared: {processes: processTable},
  interpret(out) {
    const fail = failure(out.state, 'auditd') ?? failure(out.processes, 'process table')
    if (fail) return fail
    const st = parseAuditState(out.state!.stdout)
    const processes = processesOf(out.processes!)
    const pids = pidsOf(processes, 'auditd')
    const data: AuditData = {installed: st.installed, running: pids.length > 0, pids}
    const missing: string[] = []
    if (succeeded(out.logging)) data.logging = parseLogging(out.logging.stdout, processes)
    else missing.push(failure(out.logging, 'logging')?.reason ?? 'logging')
    if (succeeded(out.auditctl)) Object.assign(data, parseAuditctl(out.auditctl.stdout))
    // auditctl says "You must be root to run this program." (exit 4) as non-root
    else if (deniedByPermissions(out.auditctl)) missing.unshift('needs root: kernel audit status and rules (auditctl)')
    else if (!notInstalled(out.auditctl)) missing.push(failure(out.auditctl, 'auditctl')?.reason ?? 'auditctl')
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
