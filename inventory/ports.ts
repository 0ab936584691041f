import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, needs, notInstalled, succeeded, toInt} from './kit/probe-helpers.js'
import {portsSection, type ListeningSocket, type PortsData} from '../src/model/sections/ports.js'
import {formatIpv6Groups} from './kit/ipv6-text.js'

function splitHostPort(text: string): {address: string; port: number; interface?: string; wildcard?: boolean} | undefined {
  const i = text.lastIndexOf(':')
  if (i <= 0) return undefined
  const port = toInt(text.slice(i + 1))
  if (port === undefined || port < 0 || port > 65535) return undefined
  let host = text.slice(0, i)
  let iface: string | undefined
  const pct = host.lastIndexOf('%')
  if (pct > 0 && !host.endsWith(']')) {
    iface = host.slice(pct + 1)
    host = host.slice(0, pct)
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host.includes('%')) {
    // [fe80::1%eth0]
    iface = host.slice(host.indexOf('%') + 1)
    host = host.slice(0, host.indexOf('%'))
  }
  if (host === '') return undefined
  return {address: host.toLowerCase(), port, ...(iface ? {interface: iface} : {}), ...(host === '*' ? {wildcard: true} : {})}
}

/** `users:(("sshd",pid=641,fd=3),("sshd",pid=700,fd=3))` → processes. */
export function parseSsUsers(text: string): {name: string; pid: number}[] {
  const out: {name: string; pid: number}[] = []
  const seen = new Set<string>()
  for (const m of text.matchAll(/\("((?:[^"]|"(?!,pid=))*)",pid=(\d+),/g)) {
    const pid = toInt(m[2])
    if (pid === undefined) continue
    const key = `${m[1]}\0${pid}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({name: m[1]!, pid})
  }
  return out
}

/**
 * Parses `ss -ltunp` (with or without its header line; `-H` is not on every iproute2): columns Netid State Recv-Q
 * Send-Q Local Peer [Process]. `processesVisible` says whether an empty process column means "none" (root).
 */
export function parseSs(text: string, processesVisible: boolean): ListeningSocket[] {
  const out: ListeningSocket[] = []
  for (const [i, line] of lines(text).entries()) {
    const t = line.trim()
    if (t === '' || /^Netid\s/.test(t)) continue
    const f = t.split(/\s+/)
    const proto = f[0]
    if ((proto !== 'tcp' && proto !== 'udp') || f.length < 6) throw new ParseError('expected "tcp|udp STATE RECV SEND LOCAL PEER [PROCESS]"', i + 1)
    const local = splitHostPort(f[4]!)
    if (!local) throw new ParseError(`unreadable local address ${f[4]!.slice(0, 80)}`, i + 1)
    const users = f.slice(6).join(' ')
    const processes = parseSsUsers(users)
    const v6 = local.wildcard === true || local.address.includes(':')
    out.push({
      protocol: proto,
      family: v6 ? 'ipv6' : 'ipv4',
      address: local.wildcard ? '::' : local.address,
      port: local.port,
      ...(local.interface ? {interface: local.interface} : {}),
      ...(local.wildcard ? {dualStack: true} : local.address === '::' ? {dualStack: false} : {}),
      ...(processes.length > 0 || processesVisible ? {processes} : {}),
    })
  }
  return out
}

function hexToIpv4(hex: string): string {
  const n = Number.parseInt(hex, 16)
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.')
}

/** RFC 5952 text of an IPv6 address printed by /proc/net as four host-order 32-bit words. */
function procHexToIpv6(hex: string): string {
  const bytes: number[] = []
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8)
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16))
  }
  const groups = Array.from({length: 8}, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16))
  // IPv4-mapped, printed as iproute2 does
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') return `::ffff:${bytes.slice(12).join('.')}`
  return formatIpv6Groups(groups)
}

/**
 * Parses the fallback: lines `FILE LOCAL_HEX:PORT_HEX` of listening TCP (state 0A) and unconnected UDP (state 07)
 * sockets from /proc/net/{tcp,tcp6,udp,udp6}.
 */
export function parseProcNetSockets(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = []
  for (const [i, line] of lines(text).entries()) {
    const t = line.trim()
    if (t === '') continue
    const m = /^\/proc\/net\/(tcp|udp)(6?)\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(t)
    if (!m) throw new ParseError('expected "/proc/net/FILE ADDRESS:PORT" in hex', i + 1)
    const v6 = m[2] === '6'
    if (v6 !== (m[3]!.length === 32)) throw new ParseError('address length does not match the table', i + 1)
    const address = v6 ? procHexToIpv6(m[3]!) : hexToIpv4(m[3]!)
    out.push({protocol: m[1] as 'tcp' | 'udp', family: v6 ? 'ipv6' : 'ipv4', address, port: Number.parseInt(m[4]!, 16)})
  }
  return out
}

export const portsProbe = defineProbe({
  section: portsSection,
  platforms: ['Linux'],
  weight: 2,
  grouped: true,
  commands: {
    ss: needs('ss', 'ss -ltunp', 'return'),
    proc:
      'set --; for f in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do [ -r "$f" ] && set -- "$@" "$f"; done; ' +
      '[ $# -gt 0 ] || return 3; ' +
      'awk \'(FILENAME ~ /tcp/ && $4 == "0A") || (FILENAME ~ /udp/ && $4 == "07") { print FILENAME, $2 }\' "$@"',
  },
  interpret(out, context) {
    if (succeeded(out.ss)) {
      const listening = parseSs(out.ss.stdout, context.privileged)
      const data: PortsData = {listening, source: 'ss'}
      return context.privileged ? {status: 'ok', data} : {status: 'partial', reason: "needs root: process names of other users' sockets", data}
    }
    const ssFail = failure(out.ss, 'ss')!
    if (!notInstalled(out.ss)) return ssFail
    const procFail = failure(out.proc, '/proc/net')
    if (procFail) return {status: procFail.status, reason: `${ssFail.reason}; ${procFail.reason}`}
    const data: PortsData = {listening: parseProcNetSockets(out.proc!.stdout), source: 'proc'}
    return {status: 'partial', reason: `${ssFail.reason}: process names`, data}
  },
})
