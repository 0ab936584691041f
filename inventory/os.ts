import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, firstLineInto, IN_BASH5, isoFromEpochSeconds, lines, parseKeyValueLines, printLineStarting, printTinyFile, readFirstLine, readLine, succeeded, toNumber} from './kit/probe-helpers.js'
import {osSection, type OsData} from '../src/model/sections/os.js'

export interface OsRelease {
  id?: string
  idLike?: string[]
  name?: string
  prettyName?: string
  version?: string
  versionId?: string
  codename?: string
}

/** Parses /etc/os-release (os-release(5)). */
export function parseOsRelease(text: string): OsRelease {
  const kv = parseKeyValueLines(text)
  if (kv.size === 0) throw new ParseError('no KEY=value lines in os-release')
  const r: OsRelease = {}
  const set = (k: keyof OsRelease, v: string | undefined) => {
    if (v !== undefined && v !== '') (r as Record<string, unknown>)[k] = v
  }
  set('id', kv.get('ID'))
  set('name', kv.get('NAME'))
  set('prettyName', kv.get('PRETTY_NAME'))
  set('version', kv.get('VERSION'))
  set('versionId', kv.get('VERSION_ID'))
  set('codename', kv.get('VERSION_CODENAME') ?? kv.get('UBUNTU_CODENAME'))
  const like = kv.get('ID_LIKE')
  if (like) r.idLike = like.split(/\s+/).filter(Boolean)
  return r
}

export interface Uname {
  family: string
  kernel: string
  kernelVersion?: string
  architecture: string
}

/** Parses three lines: `uname -s`, `uname -r`, `uname -m`, then optionally `uname -v`. */
export function parseUname(text: string): Uname {
  const [family, kernel, architecture, version] = lines(text).map((l) => l.trim())
  if (!family || !kernel || !architecture) throw new ParseError('expected uname -s, -r and -m on three lines')
  if ([family, kernel, architecture].some((v) => /\s/.test(v))) throw new ParseError('uname fields contain spaces')
  return {family, kernel, architecture, ...(version ? {kernelVersion: version} : {})}
}

/** Parses /proc/uptime ("12345.67 23456.78") followed by the `btime EPOCH` line of /proc/stat. */
export function parseUptime(text: string): {uptimeSeconds: number; bootEpochSeconds?: number} {
  const [first, second] = lines(text)
  const n = toNumber((first ?? '').trim().split(/\s+/)[0])
  if (n === undefined || n < 0) throw new ParseError('expected seconds of uptime', 1)
  const m = /^btime (\d+)$/.exec((second ?? '').trim())
  return {uptimeSeconds: Math.floor(n), ...(m ? {bootEpochSeconds: Number(m[1])} : {})}
}

/** Parses /proc/loadavg: "0.43 0.57 0.38 1/234 5678". */
export function parseLoadAverage(text: string): {one: number; five: number; fifteen: number} {
  const m = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)(?:\s|$)/.exec((lines(text)[0] ?? '').trim())
  if (!m) throw new ParseError('expected three load averages', 1)
  return {one: Number(m[1]), five: Number(m[2]), fifteen: Number(m[3])}
}

export interface TimeInfo {
  epochSeconds: number
  abbreviation?: string
  utcOffset?: string
  zone?: string
}

/**
 * Parses the `time` command's output: line 1 `date +'%s %Z %z'`, line 2 the IANA zone name if known
 * (from /etc/timezone or the /etc/localtime link), possibly empty.
 */
export function parseTime(text: string): TimeInfo {
  const [first, second] = lines(text)
  const m = /^(\d+) (\S+) ([+-]\d{4})$/.exec((first ?? '').trim())
  if (!m) throw new ParseError('expected "EPOCH ZONE ±HHMM" on the first line', 1)
  const zone = second?.trim()
  return {
    epochSeconds: Number(m[1]),
    abbreviation: m[2]!,
    utcOffset: m[3]!,
    ...(zone && /^[A-Za-z0-9_+\-/]+$/.test(zone) ? {zone} : {}),
  }
}

export const osProbe = defineProbe({
  section: osSection,
  platforms: ['Linux', 'Darwin', 'FreeBSD', 'OpenBSD', 'NetBSD', 'SunOS'],
  weight: 2,
  // six small commands, one subshell (ProbeSpec.grouped)
  grouped: true,
  commands: {
    // Linux: the kernel's name, release, version and machine read by the shell from /proc/sys/kernel (what uname(2)
    // gives; kernel.arch since Linux 6.0, `uname -m` before); elsewhere one uname for the three one-word fields (POSIX
    // fixes their order), one for the version, which has spaces
    uname:
      `_k() { ${firstLineInto('/proc/sys/kernel/$1')}; [ -n "$_l" ]; }; ` +
      "if _k ostype && _s=$_l && _k osrelease && _r=$_l && _k version; then printf '%s\\n' \"$_s\" \"$_r\"; _v=$_l; if _k arch; then printf '%s\\n' \"$_l\"; else uname -m; fi; printf '%s\\n' \"$_v\"; " +
      "else set -- $(uname -s -r -m); printf '%s\\n' \"$1\" \"$2\" \"$3\"; uname -v; fi",
    release: `if [ -r /etc/os-release ]; then ${printTinyFile('/etc/os-release')}; elif [ -r /usr/lib/os-release ]; then ${printTinyFile('/usr/lib/os-release')}; else return 3; fi`,
    debianVersion: readLine('/etc/debian_version', 'return'),
    uptime: `${readLine('/proc/uptime', 'return')} && ${printLineStarting('/proc/stat', 'btime ')}`,
    load: readLine('/proc/loadavg', 'return'),
    time:
      // bash 5's printf formats the time itself (strftime, as date does): a program less; the zone's name cut out of
      // the /etc/localtime link by the shell (sed -n 's|.*/zoneinfo/||p' did it, a program more)
      `if ${IN_BASH5}; then printf '%(%s %Z %z)T\\n' -1; else date +'%s %Z %z'; fi; if [ -r /etc/timezone ]; then ${readFirstLine('/etc/timezone')}; elif [ -L /etc/localtime ]; then _z=$(readlink /etc/localtime); case $_z in */zoneinfo/*) printf '%s\\n' "\${_z##*/zoneinfo/}";; esac; fi`,
  },
  interpret(out) {
    const fail = failure(out.uname, 'uname')
    if (fail) return fail
    const uname = parseUname(out.uname!.stdout)
    const data: OsData = {
      family: uname.family,
      kernel: uname.kernel,
      architecture: uname.architecture,
      ...(uname.kernelVersion ? {kernelVersion: uname.kernelVersion} : {}),
    }
    const missing: string[] = []
    if (succeeded(out.release)) {
      const r = parseOsRelease(out.release.stdout)
      Object.assign(data, {
        ...(r.id ? {distribution: r.id} : {}),
        ...(r.idLike ? {like: r.idLike} : {}),
        ...(r.name ? {name: r.name} : {}),
        ...(r.prettyName ? {prettyName: r.prettyName} : {}),
        ...(r.version ? {version: r.version} : {}),
        ...(r.versionId ? {versionId: r.versionId} : {}),
        ...(r.codename ? {codename: r.codename} : {}),
      })
    } else if (uname.family === 'Linux') missing.push('os-release')
    if (succeeded(out.debianVersion)) {
      const v = out.debianVersion.stdout.trim()
      if (v && !/\s/.test(v)) data.debianVersion = v
    }
    let epoch: number | undefined
    if (succeeded(out.time)) {
      const t = parseTime(out.time.stdout)
      epoch = t.epochSeconds
      data.timezone = t.zone ?? t.abbreviation
      if (t.utcOffset) data.utcOffset = t.utcOffset
    } else missing.push('time')
    if (succeeded(out.uptime)) {
      const u = parseUptime(out.uptime.stdout)
      data.uptimeSeconds = u.uptimeSeconds
      const boot = u.bootEpochSeconds ?? (epoch === undefined ? undefined : epoch - u.uptimeSeconds)
      const bootTime = isoFromEpochSeconds(boot)
      if (bootTime) data.bootTime = bootTime
    } else if (uname.family === 'Linux') missing.push('uptime')
    if (succeeded(out.load)) data.loadAverage = parseLoadAverage(out.load.stdout)
    else if (uname.family === 'Linux') missing.push('load average')
    return missing.length ? {status: 'partial', reason: `unavailable: ${missing.join(', ')}`, data} : {status: 'ok', data}
  },
})
