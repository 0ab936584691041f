import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, prefixedMatches, succeeded} from './kit/probe-helpers.js'
import {bootOrder, parsePersistedFiles, PERSISTED_COMMAND, persistedValues} from './sysctl-persisted.js'
import {sysctlSection, SYSCTL_KEYS, type SysctlData} from '../src/model/sections/sysctl.js'

const toPath = (key: string) => key.replaceAll('.', '/')
const toKey = (path: string) => path.replaceAll('/', '.')

/** Parses the `proc` command: `path/under/proc/sys:value` lines (grep -H), and `!denied path` for unreadable ones. */
export function parseProcSys(text: string): {params: Record<string, string>; unreadable: string[]} {
  const params: Record<string, string> = {}
  const unreadable: string[] = []
  let n = 0
  for (const raw of lines(text)) {
    n++
    if (raw.trim() === '') continue
    const denied = /^!denied (\S+)$/.exec(raw)
    if (denied) {
      unreadable.push(toKey(denied[1]!))
      continue
    }
    const m = /^([a-z0-9_]+(?:\/[a-z0-9_]+)+):(.*)$/.exec(raw)
    if (!m) throw new ParseError(`not a "path:value" line: ${JSON.stringify(raw.slice(0, 60))}`, n)
    const key = toKey(m[1]!)
    // multi-line values do not occur in this list; keep the first line
    if (!(key in params)) params[key] = m[2]!.trim()
  }
  if (Object.keys(params).length === 0 && unreadable.length === 0) throw new ParseError('no parameters read')
  return {params, unreadable}
}

export type CoreDumps = NonNullable<SysctlData['coreDumps']>

/** Parses the `coredump` command: `limits FILE:LINE`, `coredump installed`, `conf FILE:Key=value` lines. */
export function parseCoreDumps(text: string): CoreDumps {
  const cd: CoreDumps = {limits: [], hardLimitZero: false, systemdCoredump: false}
  let n = 0
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '') continue
    if (line === 'coredump installed') {
      cd.systemdCoredump = true
      continue
    }
    const lim = /^limits ([^:]+):\s*(\S+)\s+(\S+)\s+core\s+(\S+)/.exec(line)
    if (lim) {
      cd.limits.push({file: lim[1]!, domain: lim[2]!, type: lim[3]!, value: lim[4]!})
      continue
    }
    const conf = /^conf ([^:]+):\s*(Storage|ProcessSizeMax)\s*=\s*(\S*)/.exec(line)
    if (conf) {
      // drop-ins come after the main file and override it
      if (conf[2] === 'Storage') cd.storage = conf[3]!
      else cd.processSizeMax = conf[3]!
      continue
    }
    if (!/^(limits|conf) /.test(line)) throw new ParseError(`unexpected line: ${JSON.stringify(line.slice(0, 60))}`, n)
  }
  // pam_limits: the last matching line wins; a '*' hard (or '-') core 0
  const wildcard = cd.limits.filter((l) => l.domain === '*' && (l.type === 'hard' || l.type === '-'))
  cd.hardLimitZero = wildcard.length > 0 && wildcard[wildcard.length - 1]!.value === '0'
  if (cd.storage === '') delete cd.storage
  if (cd.processSizeMax === '') delete cd.processSizeMax
  return cd
}

// names relative to /proc/sys, as grep prints them; back where it was after (the probe's commands share one shell)
const PROC_COMMAND = `_o=$PWD; cd /proc/sys || return 3; r=; for f in ${SYSCTL_KEYS.map(toPath).join(' ')}; do if [ -r $f ]; then r="$r $f"; elif [ -e $f ]; then echo "!denied $f"; fi; done; [ -n "$r" ] && grep -s -H '' $r; cd "$_o" 2>/dev/null; return 0`

const COREDUMP_COMMAND = [
  prefixedMatches('limits', '^[[:space:]]*[^#[:space:]]+[[:space:]]+(hard|soft|-)[[:space:]]+core[[:space:]]', '/etc/security/limits.conf /etc/security/limits.d/*.conf'),
  '{ [ -x /lib/systemd/systemd-coredump ] || [ -x /usr/lib/systemd/systemd-coredump ]; } && echo coredump installed',
  prefixedMatches('conf', '^[[:space:]]*(Storage|ProcessSizeMax)[[:space:]]*=', '/etc/systemd/coredump.conf /usr/lib/systemd/coredump.conf.d/*.conf /etc/systemd/coredump.conf.d/*.conf'),
  'return 0',
].join('\n')

export const sysctlProbe = defineProbe({
  section: sysctlSection,
  platforms: ['Linux'],
  weight: 2,
  grouped: true,
  commands: {
    proc: PROC_COMMAND,
    coredump: COREDUMP_COMMAND,
    persisted: PERSISTED_COMMAND,
  },
  interpret(out) {
    const fail = failure(out.proc, '/proc/sys')
    if (fail) return fail
    const {params, unreadable} = parseProcSys(out.proc!.stdout)
    const absent = SYSCTL_KEYS.filter((k) => !(k in params) && !unreadable.includes(k))
    const known = new Set<string>(SYSCTL_KEYS)
    const data: SysctlData = {
      params: Object.fromEntries(Object.entries(params).filter(([k]) => known.has(k))),
      absent,
      unreadable: unreadable.filter((k) => known.has(k)),
    }
    const missing: string[] = []
    if (succeeded(out.persisted)) {
      const files = bootOrder(parsePersistedFiles(out.persisted.stdout))
      data.persisted = persistedValues(files, SYSCTL_KEYS)
      data.persistedFiles = files.map((f) => f.path)
      const denied = files.filter((f) => f.denied).map((f) => f.path)
      if (denied.length) {
        data.persistedUnreadable = denied
        missing.push(`persisted parameters: cannot read ${denied.join(', ')}`)
      }
    } else missing.push(failure(out.persisted, 'sysctl.d files')?.reason ?? 'sysctl.d files')
    if (succeeded(out.coredump)) data.coreDumps = parseCoreDumps(out.coredump.stdout)
    else missing.push(failure(out.coredump, 'core dump settings')?.reason ?? 'core dump settings')
    if (data.unreadable.length) missing.unshift(`needs root: ${data.unreadable.join(', ')}`)
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
