import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, needs, notInstalled, printTinyFile, readTinyFile, succeeded, toInt} from './kit/probe-helpers.js'
import {networkSection, type DefaultRoute, type NetworkAddress, type NetworkData, type NetworkInterface} from '../src/model/sections/network.js'
import {formatIpv6Groups} from './kit/ipv6-text.js'

/** Splits output made of `@@name` header lines into named sections. Text before the first header is ignored. */
export function splitSections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>()
  let current: string[] | undefined
  for (const line of lines(text)) {
    const m = /^@@([a-z0-9-]+)$/.exec(line.trim())
    if (m) {
      current = []
      sections.set(m[1]!, current)
    } else current?.push(line)
  }
  return sections
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2})+$/i

export interface IpLink {
  name: string
  kind: string
  flags: string[]
  mtu?: number
  operState?: string
  mac?: string
}

/** Parses `ip -o link show`: one line a link, `\` where iproute2 joined the lines. */
export function parseIpLink(text: string): IpLink[] {
  const links: IpLink[] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const m = /^\d+:\s+([^\s:@]+)(?:@\S*)?:\s+<([^>]*)>(.*)$/.exec(line)
    if (!m) throw new ParseError('expected "N: NAME: <FLAGS> …"', i + 1)
    const rest = m[3]!
    const link = /\slink\/(\S+)(?:\s+(\S+))?/.exec(rest)
    const mtu = toInt(/\smtu (\d+)/.exec(rest)?.[1])
    const state = /\sstate (\S+)/.exec(rest)?.[1]
    const mac = link?.[2]?.toLowerCase()
    links.push({
      name: m[1]!,
      kind: link?.[1] ?? 'unknown',
      flags: m[2]!.split(',').filter(Boolean),
      ...(mtu !== undefined ? {mtu} : {}),
      ...(state ? {operState: state.toLowerCase()} : {}),
      ...(mac && MAC.test(mac) && !/^[0:]+$/.test(mac) ? {mac} : {}),
    })
  }
  return links
}

export interface IpAddr extends NetworkAddress {
  interface: string
  family: 'ipv4' | 'ipv6'
}

/** Parses `ip -o addr show`: `N: IFACE    inet(6) ADDR/PREFIX [peer P/N] [brd B] scope S …`. */
export function parseIpAddr(text: string): IpAddr[] {
  const out: IpAddr[] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const m = /^\d+:\s+([^\s@]+)\s+(inet6?)\s+([0-9a-fA-F.:]+)(?:\/(\d+))?(?:\s+peer\s+[0-9a-fA-F.:]+\/(\d+))?(.*)$/.exec(line)
    if (!m) throw new ParseError('expected "N: IFACE inet|inet6 ADDRESS/PREFIX …"', i + 1)
    const family = m[2] === 'inet' ? 'ipv4' : 'ipv6'
    const prefix = toInt(m[4] ?? m[5]) ?? (family === 'ipv4' ? 32 : 128)
    if (prefix > (family === 'ipv4' ? 32 : 128)) throw new ParseError(`prefix length ${prefix} out of range`, i + 1)
    const scope = /\sscope (\S+)/.exec(m[6]!)?.[1]
    out.push({interface: m[1]!, family, address: m[3]!.toLowerCase(), prefixLength: prefix, ...(scope ? {scope} : {})})
  }
  return out
}

/** Parses `ip route show default` (IPv4 or IPv6), including multipath `nexthop` lines. Other lines are skipped. */
export function parseIpDefaultRoutes(text: string, family: 'ipv4' | 'ipv6'): DefaultRoute[] {
  const routes: DefaultRoute[] = []
  let inDefault = false
  let metric: number | undefined
  for (const line of lines(text)) {
    const t = line.trim()
    if (t === '') continue
    const isNexthop = /^nexthop\s/.test(t) && /^\s/.test(line)
    if (!isNexthop) {
      inDefault = /^default(\s|$)/.test(t) && !/^default\s.*\b(unreachable|blackhole|prohibit)\b/.test(t)
      metric = toInt(/\smetric (\d+)/.exec(t)?.[1])
      if (!inDefault) continue
      const via = /\svia (?:inet6? )?([0-9a-fA-F.:]+)/.exec(t)?.[1]
      const dev = /\sdev (\S+)/.exec(t)?.[1]
      if (!via && !dev) continue // multipath head: the nexthops follow
      routes.push({family, ...(via ? {gateway: via.toLowerCase()} : {}), ...(dev ? {interface: dev} : {}), ...(metric !== undefined ? {metric} : {})})
    } else if (inDefault) {
      const via = /\svia (?:inet6? )?([0-9a-fA-F.:]+)/.exec(` ${t}`)?.[1]
      const dev = /\sdev (\S+)/.exec(` ${t}`)?.[1]
      if (via || dev)
        routes.push({family, ...(via ? {gateway: via.toLowerCase()} : {}), ...(dev ? {interface: dev} : {}), ...(metric !== undefined ? {metric} : {})})
    }
  }
  return routes
}

export interface SysLink {
  name: string
  type?: number
  operState?: string
  mtu?: number
  mac?: string
  flags?: number
  /** /sys carrier: 1 when the link has carrier (EINVAL, so absent, when it is administratively down). */
  carrier?: boolean
  speedMbps?: number
  physical: boolean
}

/**
 * Parses `grep -H . NAME/speed NAME/type …` run in /sys/class/net (lines `NAME/ATTR:VALUE`), then lines `device NAME`
 * for interfaces with a backing device.
 */
export function parseSysNet(text: string): SysLink[] {
  const byName = new Map<string, SysLink>()
  const get = (name: string) => {
    let l = byName.get(name)
    if (!l) byName.set(name, (l = {name, physical: false}))
    return l
  }
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const dev = /^device (\S+)$/.exec(line)
    if (dev) {
      get(dev[1]!).physical = true
      continue
    }
    const m = /^([^/\s:]+)\/([a-z_]+):(.*)$/.exec(line)
    if (!m) throw new ParseError('expected "NAME/ATTRIBUTE:VALUE"', i + 1)
    const l = get(m[1]!)
    const v = m[3]!.trim()
    switch (m[2]) {
      case 'speed': {
        const n = toInt(v)
        // -1 and 4294967295 (SPEED_UNKNOWN) mean the driver does not know
        if (n !== undefined && n > 0 && n < 4294967295) l.speedMbps = n
        break
      }
      case 'type':
        l.type = toInt(v)
        break
      case 'operstate':
        if (/^[a-z]+$/.test(v)) l.operState = v
        break
      case 'mtu':
        l.mtu = toInt(v)
        break
      case 'address':
        if (MAC.test(v) && !/^[0:]+$/.test(v)) l.mac = v.toLowerCase()
        break
      case 'carrier':
        if (v === '0' || v === '1') l.carrier = v === '1'
        break
      case 'flags':
        if (/^0x[0-9a-f]+$/i.test(v)) l.flags = Number.parseInt(v.slice(2), 16)
        break
      default:
    }
    for (const k of ['type', 'mtu'] as const) if (l[k] === undefined) delete l[k]
  }
  return [...byName.values()]
}

/** ARPHRD_* numbers of include/uapi/linux/if_arp.h, named as iproute2 names them. */
const LINK_TYPES: Record<number, string> = {
  1: 'ether',
  24: 'ieee1394',
  32: 'infiniband',
  280: 'can',
  512: 'ppp',
  768: 'ipip',
  769: 'tunnel6',
  772: 'loopback',
  776: 'sit',
  778: 'gre',
  783: 'irda',
  801: 'ieee802.11',
  823: 'ip6gre',
  65534: 'none',
}

function hex32ToIpv4(hex: string): string {
  // /proc/net/route prints the address as the host's (little-endian) u32 in hex
  const n = Number.parseInt(hex, 16)
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.')
}

/** RFC 5952 text of 32 hex digits (as /proc/net prints IPv6 addresses). */
export function hexToIpv6(hex: string): string {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ParseError(`not an IPv6 address in hex: ${hex.slice(0, 40)}`)
  const groups = Array.from({length: 8}, (_, i) => Number.parseInt(hex.slice(i * 4, i * 4 + 4), 16).toString(16))
  return formatIpv6Groups(groups)
}

/**
 * Parses the fallback's /proc sections: `@@route` (default lines of /proc/net/route), `@@route6` (default
 * lines of /proc/net/ipv6_route) and `@@inet6` (/proc/net/if_inet6).
 */
export function parseProcNet(text: string): {routes: DefaultRoute[]; ipv6: IpAddr[]} {
  const s = splitSections(text)
  const routes: DefaultRoute[] = []
  for (const [i, line] of (s.get('route') ?? []).entries()) {
    const f = line.trim().split(/\s+/)
    if (f.length === 1 && f[0] === '') continue
    if (f[0] === 'Iface') continue
    if (f.length < 8 || !/^[0-9A-Fa-f]{8}$/.test(f[1]!) || !/^[0-9A-Fa-f]{8}$/.test(f[2]!) || !/^[0-9A-Fa-f]+$/.test(f[3]!))
      throw new ParseError('expected a /proc/net/route line', i + 1)
    const flags = Number.parseInt(f[3]!, 16)
    if (f[1] !== '00000000' || f[7] !== '00000000' || !(flags & 0x1) || flags & 0x200) continue
    const metric = toInt(f[6])
    routes.push({
      family: 'ipv4',
      ...(flags & 0x2 ? {gateway: hex32ToIpv4(f[2]!)} : {}),
      interface: f[0]!,
      ...(metric !== undefined && metric >= 0 ? {metric} : {}),
    })
  }
  for (const [i, line] of (s.get('route6') ?? []).entries()) {
    const f = line.trim().split(/\s+/)
    if (f.length === 1 && f[0] === '') continue
    if (f.length < 10 || !/^[0-9a-fA-F]{32}$/.test(f[0]!) || !/^[0-9a-fA-F]{32}$/.test(f[4]!) || !/^[0-9a-fA-F]{8}$/.test(f[8]!))
      throw new ParseError('expected a /proc/net/ipv6_route line', i + 1)
    const flags = Number.parseInt(f[8]!, 16)
    if (!/^0+$/.test(f[0]!) || f[1] !== '00' || !(flags & 0x1) || flags & 0x200) continue
    const metric = Number.parseInt(f[5]!, 16)
    routes.push({
      family: 'ipv6',
      ...(flags & 0x2 ? {gateway: hexToIpv6(f[4]!)} : {}),
      interface: f[9]!,
      ...(Number.isSafeInteger(metric) ? {metric} : {}),
    })
  }
  const ipv6: IpAddr[] = []
  const scopes: Record<number, string> = {0: 'global', 0x10: 'host', 0x20: 'link', 0x40: 'site'}
  for (const [i, line] of (s.get('inet6') ?? []).entries()) {
    const f = line.trim().split(/\s+/)
    if (f.length === 1 && f[0] === '') continue
    if (f.length < 6 || !/^[0-9a-fA-F]{32}$/.test(f[0]!) || !/^[0-9a-fA-F]{2}$/.test(f[2]!) || !/^[0-9a-fA-F]{2}$/.test(f[3]!))
      throw new ParseError('expected a /proc/net/if_inet6 line', i + 1)
    const prefix = Number.parseInt(f[2]!, 16)
    if (prefix > 128) throw new ParseError(`prefix length ${prefix} out of range`, i + 1)
    const scope = Number.parseInt(f[3]!, 16)
    ipv6.push({interface: f[5]!, family: 'ipv6', address: hexToIpv6(f[0]!), prefixLength: prefix, scope: scopes[scope] ?? String(scope)})
  }
  return {routes, ipv6}
}

export interface ResolvConf {
  servers: string[]
  search: string[]
}

/** Parses resolv.conf(5): nameserver, search and domain lines (the last of search/domain wins). */
export function parseResolvConf(text: string): ResolvConf {
  const r: ResolvConf = {servers: [], search: []}
  for (const raw of lines(text)) {
    const line = raw.replace(/[#;].*$/, '').trim()
    if (line === '') continue
    const [key, ...values] = line.split(/\s+/)
    if (key === 'nameserver' && values[0] && /^[0-9a-fA-F.:%a-zA-Z]+$/.test(values[0])) r.servers.push(values[0])
    else if (key === 'search' || key === 'domain') r.search = values
  }
  return r
}

const STUBS = new Set(['127.0.0.53', '127.0.0.54'])

export const networkProbe = defineProbe({
  section: networkSection,
  platforms: ['Linux'],
  weight: 3,
  grouped: true,
  commands: {
    ip: needs('ip', 'ip -o link show && echo @@addr && ip -o addr show && echo @@route4 && ip -4 route show default && echo @@route6 && ip -6 route show default', 'return'),
    sys:
      // names relative to /sys/class/net, as grep prints them; back where it was after (one shell for the probe)
      '[ -d /sys/class/net ] || return 3; _o=$PWD; cd /sys/class/net || return 4; ' +
      'grep -s -H . */speed */type */operstate */mtu */address */flags */carrier; ' +
      'for d in */device; do [ -e "$d" ] && echo "device ${d%/device}"; done; ' +
      // the default routes of both families and the IPv6 addresses, by one awk (two awks and a cat were three
      // processes): a file that cannot be read gives nothing after its marker
      "awk 'BEGIN { print \"@@route\"; f = \"/proc/net/route\"; while ((getline l < f) > 0) { split(l, w, \" \"); if (w[2] == \"00000000\") print l } close(f); " +
      'print "@@route6"; f = "/proc/net/ipv6_route"; while ((getline l < f) > 0) { split(l, w, " "); if (w[1] ~ /^0+$/ && w[2] == "00") print l } close(f); ' +
      'print "@@inet6"; f = "/proc/net/if_inet6"; while ((getline l < f) > 0) print l; close(f) }\' 2>/dev/null; cd "$_o" 2>/dev/null; return 0',
    dns:
      `${readTinyFile('/etc/resolv.conf', 'return')}; ` +
      `if [ -r /run/systemd/resolve/resolv.conf ]; then echo @@upstream; ${printTinyFile('/run/systemd/resolve/resolv.conf')}; fi`,
  },
  interpret(out) {
    const sysFail = failure(out.sys, '/sys/class/net')
    const ip = out.ip
    const ipOk = succeeded(ip)
    if (!ipOk && sysFail) {
      const ipFail = failure(out.ip, 'ip')!
      return notInstalled(out.ip) ? {status: 'unavailable', reason: `${ipFail.reason}; ${sysFail.reason}`} : ipFail
    }
    const missing: string[] = []
    const sysText = sysFail ? '' : out.sys!.stdout
    const sysPart = sysText.split(/^@@route$/m)[0] ?? ''
    const sysLinks = new Map(parseSysNet(sysPart).map((l) => [l.name, l]))
    const proc = parseProcNet(sysText.slice(sysPart.length))
    let interfaces: NetworkInterface[]
    let defaultRoutes: DefaultRoute[]
    const source: NetworkData['source'] = ipOk ? 'ip' : 'sysfs'
    if (succeeded(ip)) {
      const s = splitSections(`@@link\n${ip.stdout}`)
      const addrs = parseIpAddr((s.get('addr') ?? []).join('\n'))
      defaultRoutes = [
        ...parseIpDefaultRoutes((s.get('route4') ?? []).join('\n'), 'ipv4'),
        ...parseIpDefaultRoutes((s.get('route6') ?? []).join('\n'), 'ipv6'),
      ]
      interfaces = parseIpLink((s.get('link') ?? []).join('\n')).map((l) => {
        const sys = sysLinks.get(l.name)
        const up = l.operState === 'up' || (l.operState === 'unknown' && l.flags.includes('UP') && l.flags.includes('LOWER_UP'))
        return {
          name: l.name,
          kind: l.kind,
          ...(l.mac ? {mac: l.mac} : {}),
          state: up ? 'up' : 'down',
          ...(l.operState ? {operState: l.operState} : {}),
          ...(l.mtu !== undefined ? {mtu: l.mtu} : {}),
          ...(sys?.speedMbps !== undefined ? {speedMbps: sys.speedMbps} : {}),
          ...(sys ? {physical: sys.physical} : {}),
          ipv4: addrs.filter((a) => a.interface === l.name && a.family === 'ipv4').map(strip),
          ipv6: addrs.filter((a) => a.interface === l.name && a.family === 'ipv6').map(strip),
        }
      })
    } else {
      defaultRoutes = proc.routes
      interfaces = [...sysLinks.values()].map((l) => {
        const flags = l.flags ?? 0
        // operstate unknown (loopback, some tunnels): up when administratively up (IFF_UP) with carrier
        const up = l.operState === 'up' || (l.operState === 'unknown' && (flags & 0x1) === 0x1 && l.carrier === true)
        return {
          name: l.name,
          kind: l.type === undefined ? 'unknown' : (LINK_TYPES[l.type] ?? `type${l.type}`),
          ...(l.mac ? {mac: l.mac} : {}),
          state: up ? 'up' : 'down',
          ...(l.operState ? {operState: l.operState} : {}),
          ...(l.mtu !== undefined && l.mtu >= 0 ? {mtu: l.mtu} : {}),
          ...(l.speedMbps !== undefined ? {speedMbps: l.speedMbps} : {}),
          physical: l.physical,
          ipv4: [],
          ipv6: proc.ipv6.filter((a) => a.interface === l.name).map(strip),
        }
      })
      missing.push(`${failure(out.ip, 'ip')?.reason ?? 'ip'} (IPv4 addresses)`)
    }
    const data: NetworkData = {interfaces, defaultRoutes, source}
    if (succeeded(out.dns)) {
      const s = splitSections(`@@main\n${out.dns.stdout}`)
      const main = parseResolvConf((s.get('main') ?? []).join('\n'))
      const stub = main.servers.some((a) => STUBS.has(a))
      const upstream = s.has('upstream') ? parseResolvConf(s.get('upstream')!.join('\n')) : undefined
      data.dns = {
        servers: main.servers,
        search: main.search,
        systemdResolvedStub: stub,
        ...(upstream ? {upstreamServers: upstream.servers, upstreamSearch: upstream.search} : {}),
      }
    } else {
      missing.push(failure(out.dns, '/etc/resolv.conf')!.reason!)
    }
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})

function strip(a: IpAddr): NetworkAddress {
  return {address: a.address, prefixLength: a.prefixLength, ...(a.scope ? {scope: a.scope} : {})}
}

