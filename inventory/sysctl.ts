import {Type, type Static} from '@sinclair/typebox'

import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, succeeded} from './kit/probe-helpers.js'
import {Arr, Bool, Obj, Opt, Str} from '../src/model/schema-helpers.js'

/** The kernel parameters checks look at (CIS and TCVN hardening), as sysctl names them. */
export const SYSCTL_KEYS = [
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.accept_redirects',
  'net.ipv4.conf.default.accept_redirects',
  'net.ipv4.conf.all.secure_redirects',
  'net.ipv4.conf.default.secure_redirects',
  'net.ipv4.conf.all.send_redirects',
  'net.ipv4.conf.default.send_redirects',
  'net.ipv4.conf.all.accept_source_route',
  'net.ipv4.conf.default.accept_source_route',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.default.rp_filter',
  'net.ipv4.conf.all.log_martians',
  'net.ipv4.conf.default.log_martians',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.icmp_echo_ignore_broadcasts',
  'net.ipv4.icmp_ignore_bogus_error_responses',
  'net.ipv6.conf.all.forwarding',
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv6.conf.all.accept_ra',
  'net.ipv6.conf.default.accept_ra',
  'net.ipv6.conf.all.accept_redirects',
  'net.ipv6.conf.default.accept_redirects',
  'net.ipv6.conf.all.accept_source_route',
  'net.ipv6.conf.default.accept_source_route',
  'net.core.bpf_jit_harden',
  'kernel.randomize_va_space',
  'kernel.kptr_restrict',
  'kernel.dmesg_restrict',
  'kernel.yama.ptrace_scope',
  'kernel.sysrq',
  'kernel.perf_event_paranoid',
  'kernel.unprivileged_bpf_disabled',
  'kernel.unprivileged_userns_clone',
  'kernel.kexec_load_disabled',
  'kernel.core_pattern',
  'kernel.core_uses_pid',
  'fs.suid_dumpable',
  'fs.protected_hardlinks',
  'fs.protected_symlinks',
  'fs.protected_fifos',
  'fs.protected_regular',
  'dev.tty.ldisc_autoload',
  'vm.mmap_min_addr',
] as const

const toPath = (key: string) => key.replaceAll('.', '/')
const toKey = (path: string) => path.replaceAll('/', '.')

const CoreLimit = Obj({file: Str(), domain: Str(), type: Str(), value: Str()})

export const SysctlSchema = Obj({
  /** Values as /proc/sys prints them (whitespace-separated fields kept), keyed by sysctl name. */
  params: Type.Record(Str({pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)+$'}), Str()),
  /** Parameters of the list this kernel does not have. */
  absent: Arr(Str()),
  /** Parameters that exist but could not be read (root only, e.g. net.core.bpf_jit_harden). */
  unreadable: Arr(Str()),
  coreDumps: Opt(Obj({
    /** `core` lines of /etc/security/limits.conf and limits.d/*.conf, in reading order. */
    limits: Arr(CoreLimit),
    /** A `hard core 0` for every user (domain `*`) is set. */
    hardLimitZero: Bool(),
    /** systemd-coredump is installed (it then receives cores through kernel.core_pattern). */
    systemdCoredump: Bool(),
    /** Storage= of coredump.conf after its drop-ins (none, external, journal). */
    storage: Opt(Str()),
    processSizeMax: Opt(Str()),
  })),
})
export type SysctlData = Static<typeof SysctlSchema>

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

const PROC_COMMAND = `cd /proc/sys || exit 3; r=; for f in ${SYSCTL_KEYS.map(toPath).join(' ')}; do if [ -r $f ]; then r="$r $f"; elif [ -e $f ]; then echo "!denied $f"; fi; done; [ -n "$r" ] && grep -s -H '' $r; exit 0`

const COREDUMP_COMMAND = [
  "grep -sHE '^[[:space:]]*[^#[:space:]]+[[:space:]]+(hard|soft|-)[[:space:]]+core[[:space:]]' /etc/security/limits.conf /etc/security/limits.d/*.conf | sed 's/^/limits /'",
  '{ [ -x /lib/systemd/systemd-coredump ] || [ -x /usr/lib/systemd/systemd-coredump ]; } && echo coredump installed',
  "grep -sHE '^[[:space:]]*(Storage|ProcessSizeMax)[[:space:]]*=' /etc/systemd/coredump.conf /usr/lib/systemd/coredump.conf.d/*.conf /etc/systemd/coredump.conf.d/*.conf | sed 's/^/conf /'",
  'exit 0',
].join('\n')

export const sysctlProbe = defineProbe({
  id: 'sysctl',
  title: 'Kernel parameters',
  platforms: ['Linux'],
  schema: SysctlSchema,
  commands: {
    proc: PROC_COMMAND,
    coredump: COREDUMP_COMMAND,
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
    if (succeeded(out.coredump)) data.coreDumps = parseCoreDumps(out.coredump.stdout)
    else missing.push(failure(out.coredump, 'core dump settings')?.reason ?? 'core dump settings')
    if (data.unreadable.length) missing.unshift(`needs root: ${data.unreadable.join(', ')}`)
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
