import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {NO_SUCH_FILE, failure, lines, notInstalled, parseKeyValueLines, prefixedMatches, succeeded, toInt, toNumber} from './kit/probe-helpers.js'
import {pidsOf, processesOf, processTable, type ProcessInfo} from './kit/process-table.js'
import {timeSyncSection, TIME_SYNC_DAEMONS, type TimeSyncDaemon, type TimeSource, type TimeSyncData} from '../src/model/sections/time-sync.js'

export interface TimeState {
  installed: TimeSyncDaemon[]
  systemdPid1: boolean
  timesyncSynchronized: boolean
  configuredServers: TimeSyncData['configuredServers']
}

const daemonOf = (name: string): TimeSyncDaemon | undefined =>
  name === 'chronyd' ? 'chrony' : name === 'systemd-timesyncd' ? 'systemd-timesyncd' : name === 'ntpd' || name === 'ntpsec' ? 'ntpd' : name === 'openntpd' ? 'openntpd' : undefined

/** The programs of the time daemons, as they run. */
const DAEMON_PROGRAMS = ['chronyd', 'systemd-timesyncd', 'ntpd', 'openntpd'] as const

/** The time daemons running, from the process table. */
export function runningTimeDaemons(processes: readonly ProcessInfo[]): TimeSyncDaemon[] {
  return [...new Set(DAEMON_PROGRAMS.filter((p) => pidsOf(processes, p).length > 0).map((p) => daemonOf(p)!))]
}

/** Parses the `state` command: `installed NAME`, `systemd pid1`, `timesync synchronized`, `config FILE:LINE`. */
export function parseTimeState(text: string): TimeState {
  const s: TimeState = {installed: [], systemdPid1: false, timesyncSynchronized: false, configuredServers: []}
  let n = 0
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '') continue
    const m = /^(installed|config|systemd|timesync)\s+(.*)$/.exec(line)
    if (!m) throw new ParseError(`unexpected line: ${JSON.stringify(line.slice(0, 60))}`, n)
    const rest = m[2]!
    if (m[1] === 'installed') {
      const d = daemonOf(rest.split(/\s+/)[0]!)
      if (d === undefined) throw new ParseError(`unknown daemon ${JSON.stringify(rest.slice(0, 40))}`, n)
      if (!s.installed.includes(d)) s.installed.push(d)
    } else if (m[1] === 'systemd') s.systemdPid1 = rest === 'pid1'
    else if (m[1] === 'timesync') s.timesyncSynchronized = rest === 'synchronized'
    else {
      const c = /^([^:]+):\s*(server|pool|peer|servers|NTP|FallbackNTP)(?:\s+|\s*=\s*)(.*)$/.exec(rest)
      if (!c) continue
      const addresses = c[2] === 'NTP' || c[2] === 'FallbackNTP' || c[2] === 'servers' ? c[3]!.split(/\s+/) : [c[3]!.split(/\s+/)[0]!]
      for (const address of addresses.filter(Boolean)) s.configuredServers.push({file: c[1]!, kind: c[2]!, address})
    }
  }
  return s
}

export interface ChronyInfo {
  referenceId?: string
  stratum?: number
  offsetSeconds?: number
  leapStatus?: string
  synchronized: boolean
  sources: TimeSource[]
}

const CHRONY_STATE: Record<string, string> = {'*': 'selected', '+': 'combined', '-': 'not combined', '?': 'unreachable', x: 'falseticker', '~': 'too variable'}
const CHRONY_MODE: Record<string, string> = {'^': 'server', '=': 'peer', '#': 'refclock'}

/** chrony's sample offsets: "+12us", "-1.5ms", "+3ns", "-2s". */
function chronyDuration(text: string): number | undefined {
  const m = /^([+-]?\d+(?:\.\d+)?)(ns|us|ms|s)$/.exec(text)
  if (!m) return undefined
  return Number(m[1]) * {ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1}[m[2] as 'ns' | 'us' | 'ms' | 's']
}

/** Parses `chronyc -n -m tracking sources`. */
export function parseChrony(text: string): ChronyInfo {
  const info: ChronyInfo = {synchronized: false, sources: []}
  let sawTracking = false
  let inSources = false
  for (const raw of lines(text)) {
    const line = raw.trimEnd()
    const kv = /^([A-Za-z][A-Za-z ()]*?)\s*:\s(.*)$/.exec(line)
    if (!inSources && kv) {
      sawTracking = true
      const [key, value] = [kv[1]!, kv[2]!.trim()]
      if (key === 'Reference ID') info.referenceId = value
      else if (key === 'Stratum') info.stratum = toInt(value)
      else if (key === 'Leap status') info.leapStatus = value
      else if (key === 'System time') {
        const m = /^(\d+(?:\.\d+)?) seconds (fast|slow) of NTP time$/.exec(value)
        if (m) info.offsetSeconds = Number(m[1]) * (m[2] === 'fast' ? 1 : -1)
      }
      continue
    }
    if (/^={10,}$/.test(line.trim())) {
      inSources = true
      continue
    }
    if (inSources) {
      const m = /^([\^=#])([*+\-?x~])\s+(\S+)\s+(\d+)\s+\d+\s+([0-7]+)\s+\S+\s+([+-]?\d+(?:\.\d+)?[a-z]*)/.exec(line)
      if (!m) continue
      const offset = chronyDuration(m[6]!)
      info.sources.push({
        address: m[3]!,
        mode: CHRONY_MODE[m[1]!]!,
        state: CHRONY_STATE[m[2]!]!,
        stratum: Number(m[4]),
        reach: m[5]!,
        ...(offset === undefined ? {} : {offsetSeconds: offset}),
      })
    }
  }
  if (!sawTracking) throw new ParseError('no chronyc tracking fields')
  if (info.stratum === undefined || info.stratum < 0) delete info.stratum
  info.synchronized = info.leapStatus !== undefined && !/not synchronised/i.test(info.leapStatus) && info.stratum !== undefined && info.stratum < 16
  return info
}

/** Parses `ntpq -pn`: the peer billboard; offsets are printed in milliseconds. */
export function parseNtpq(text: string): {sources: TimeSource[]; synchronized: boolean; offsetSeconds?: number; stratum?: number} {
  const sources: TimeSource[] = []
  let header = false
  let selected: TimeSource | undefined
  const states: Record<string, string> = {'*': 'selected', '+': 'candidate', '-': 'outlier', x: 'falseticker', '#': 'backup', o: 'selected (pps)', '.': 'excess', ' ': 'rejected'}
  for (const raw of lines(text)) {
    if (/^\s*remote\s+refid\s+st\s/.test(raw)) {
      header = true
      continue
    }
    if (!header || /^=+$/.test(raw.trim())) continue
    const m = /^([*+\-x#o. ])(\S+)\s+(\S+)\s+(\d+)\s+(\w)\s+\S+\s+\S+\s+([0-7]+)\s+\S+\s+(-?\d+(?:\.\d+)?)\s+\S+\s*$/.exec(raw)
    if (!m) continue
    const offsetMs = toNumber(m[7])
    const source: TimeSource = {
      address: m[2]!,
      mode: {u: 'server', b: 'broadcast', l: 'local', m: 'multicast', s: 'peer', p: 'pool', r: 'refclock'}[m[5]!] ?? m[5]!,
      state: states[m[1]!]!,
      stratum: Number(m[4]),
      reach: m[6]!,
      ...(offsetMs === undefined ? {} : {offsetSeconds: offsetMs / 1000}),
    }
    if (m[1] === '*' || m[1] === 'o') selected ??= source
    sources.push(source)
  }
  if (!header) throw new ParseError('no ntpq peer header')
  return {
    sources,
    synchronized: selected !== undefined,
    ...(selected?.offsetSeconds === undefined ? {} : {offsetSeconds: selected.offsetSeconds}),
    ...(selected?.stratum === undefined || selected.stratum >= 16 ? {} : {stratum: selected.stratum + 1}),
  }
}

/** Parses `timedatectl show` (KEY=value). */
export function parseTimedatectl(text: string): {ntpEnabled?: boolean; synchronized?: boolean} {
  const kv = parseKeyValueLines(text)
  if (!kv.has('NTPSynchronized') && !kv.has('NTP')) throw new ParseError('no NTP= or NTPSynchronized= in timedatectl show')
  const yn = (v: string | undefined) => (v === 'yes' ? true : v === 'no' ? false : undefined)
  const r: {ntpEnabled?: boolean; synchronized?: boolean} = {}
  const ntp = yn(kv.get('NTP'))
  const sync = yn(kv.get('NTPSynchronized'))
  if (ntp !== undefined) r.ntpEnabled = ntp
  if (sync !== undefined) r.synchronized = sync
  return r
}

const CONFIG_FILES = [
  '/etc/chrony/chrony.conf',
  '/etc/chrony.conf',
  '/etc/chrony/sources.d/*.sources',
  '/etc/chrony/conf.d/*.conf',
  '/etc/ntp.conf',
  '/etc/ntpsec/ntp.conf',
  '/etc/openntpd/ntpd.conf',
  '/etc/systemd/timesyncd.conf',
  '/etc/systemd/timesyncd.conf.d/*.conf',
].join(' ')

export const timeSyncProbe = defineProbe({
  section: timeSyncSection,
  platforms: ['Linux'],
  grouped: true,
  commands: {
    state: [
      'for d in chronyd ntpd openntpd; do command -v $d >/dev/null 2>&1 && echo "installed $d"; done',
      'for f in /lib/systemd/systemd-timesyncd /usr/lib/systemd/systemd-timesyncd; do [ -x $f ] && { echo "installed systemd-timesyncd"; break; }; done',
      '[ -d /run/systemd/system ] && echo "systemd pid1"',
      '[ -e /run/systemd/timesync/synchronized ] && echo "timesync synchronized"',
      // the server lines, `config FILE:LINE`: one awk (grep -H | sed was two processes)
      prefixedMatches('config', '^[[:space:]]*(server|pool|peer|servers)[[:space:]]|^[[:space:]]*(NTP|FallbackNTP)=', CONFIG_FILES),
      'return 0',
    ].join('\n'),
    // Only where systemd is PID 1 (timedatectl would fail noisily elsewhere)
    timedatectl: '[ -d /run/systemd/system ] || return 3; command -v timedatectl >/dev/null 2>&1 || return 127; timedatectl show',
    // chronyc talks to chronyd over its socket or 127.0.0.1:323 only; skipped when chronyd is not running
    chrony: 'command -v chronyc >/dev/null 2>&1 || return 127; pidof chronyd >/dev/null 2>&1 || return 3; chronyc -n -m tracking sources',
    ntpq: 'command -v ntpq >/dev/null 2>&1 || return 127; pidof ntpd >/dev/null 2>&1 || return 3; ntpq -pn 127.0.0.1',
  },
  shared: {processes: processTable},
  interpret(out) {
    const fail = failure(out.state, 'time daemons') ?? failure(out.processes, 'process table')
    if (fail) return fail
    const st = {...parseTimeState(out.state!.stdout), running: runningTimeDaemons(processesOf(out.processes!))}
    const daemon: TimeSyncDaemon | 'none' =
      TIME_SYNC_DAEMONS.find((d) => st.running.includes(d)) ?? TIME_SYNC_DAEMONS.find((d) => st.installed.includes(d)) ?? 'none'
    const running = daemon !== 'none' && st.running.includes(daemon)
    const data: TimeSyncData = {
      daemon,
      running,
      installed: TIME_SYNC_DAEMONS.filter((d) => st.installed.includes(d) || st.running.includes(d)),
      configuredServers: st.configuredServers,
      systemdPid1: st.systemdPid1,
    }
    const missing: string[] = []
    const skipped = (o: typeof out.chrony) => !o || notInstalled(o) || o.exitCode === NO_SUCH_FILE
    if (succeeded(out.timedatectl)) Object.assign(data, parseTimedatectl(out.timedatectl.stdout))
    else if (st.systemdPid1 && !skipped(out.timedatectl)) missing.push(failure(out.timedatectl, 'timedatectl')?.reason ?? 'timedatectl')

    if (daemon === 'chrony' && running) {
      if (succeeded(out.chrony)) {
        const c = parseChrony(out.chrony.stdout)
        Object.assign(data, {
          synchronized: c.synchronized,
          sources: c.sources,
          ...(c.stratum === undefined ? {} : {stratum: c.stratum}),
          ...(c.offsetSeconds === undefined ? {} : {offsetSeconds: c.offsetSeconds}),
          ...(c.referenceId ? {referenceId: c.referenceId} : {}),
          ...(c.leapStatus ? {leapStatus: c.leapStatus} : {}),
        })
      } else missing.push(failure(out.chrony, 'chronyc')?.reason ?? 'chronyc')
    } else if (daemon === 'ntpd' && running) {
      if (succeeded(out.ntpq)) {
        const q = parseNtpq(out.ntpq.stdout)
        Object.assign(data, {synchronized: q.synchronized, sources: q.sources})
        if (q.offsetSeconds !== undefined) data.offsetSeconds = q.offsetSeconds
        if (q.stratum !== undefined) data.stratum = q.stratum
      } else missing.push(failure(out.ntpq, 'ntpq')?.reason ?? 'ntpq')
    } else if (daemon === 'systemd-timesyncd' && running) {
      data.synchronized = st.timesyncSynchronized || data.synchronized === true
    } else if (!running && data.synchronized === undefined) {
      // no known daemon disciplines the clock
      data.synchronized = false
    }
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
