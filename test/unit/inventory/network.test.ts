import {describe, expect, it} from 'vitest'

import {networkProbe, parseIpAddr, parseIpDefaultRoutes, parseIpLink, parseProcNet, parseResolvConf, parseSysNet, splitSections} from '../../../inventory/network.js'
import {NetworkSchema} from '../../../src/model/sections/network.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('network')

const sysPart = (text: string) => text.split(/^@@route$/m)[0]!
const procPart = (text: string) => text.slice(sysPart(text).length)
const ipSection = (text: string, name: string) => (splitSections(`@@link\n${text}`).get(name) ?? []).join('\n')

describe('network probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section that agrees with /sys and /proc`, () => {
      const r = networkProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe('ok')
      expect(problemsOf(NetworkSchema, r.data)).toEqual([])
      const d = r.data!
      expect(d.source).toBe('ip')
      // every interface of /sys/class/net, with the same MTU and MAC
      const sys = parseSysNet(sysPart(stdoutOf(f, 'sys')))
      expect(d.interfaces.map((i) => i.name).sort()).toEqual(sys.map((s) => s.name).sort())
      for (const s of sys) {
        const i = d.interfaces.find((x) => x.name === s.name)!
        expect(i.mtu).toBe(s.mtu)
        expect(i.mac).toBe(s.mac)
        expect(i.state === 'up').toBe(s.operState === 'up' || (s.operState === 'unknown' && ((s.flags ?? 0) & 0x1) === 0x1 && s.carrier === true))
      }
      // IPv6 addresses and default routes as the kernel's /proc tables print them
      const proc = parseProcNet(procPart(stdoutOf(f, 'sys')))
      const v6 = (name: string) => proc.ipv6.filter((a) => a.interface === name).map((a) => `${a.address}/${a.prefixLength} ${a.scope}`).sort()
      for (const i of d.interfaces) expect(i.ipv6.map((a) => `${a.address}/${a.prefixLength} ${a.scope}`).sort()).toEqual(v6(i.name))
      const gw = (rs: {family: string; gateway?: string; interface?: string}[]) => rs.map((x) => `${x.family} ${x.gateway} ${x.interface}`).sort()
      expect(gw(d.defaultRoutes)).toEqual(gw(proc.routes))
      // IPv4 addresses: as many as `inet` lines
      const inet = stdoutOf(f, 'ip').split('\n').filter((l) => /^\d+:\s+\S+\s+inet\s/.test(l)).length
      expect(d.interfaces.reduce((n, i) => n + i.ipv4.length, 0)).toBe(inet)
      // DNS servers: every nameserver line of resolv.conf
      const ns = stdoutOf(f, 'dns').split('\n').filter((l) => /^nameserver\s/.test(l)).map((l) => l.split(/\s+/)[1])
      expect(d.dns?.servers).toEqual(ns)
    })
  }

  it('reads this machine: loopback, eth0 with IPv4 and IPv6 defaults', () => {
    const f = loadFixture('debian-12-root', 'network')
    const d = networkProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.interfaces.find((i) => i.name === 'lo')).toMatchObject({kind: 'loopback', state: 'up', ipv4: [{address: '127.0.0.1', prefixLength: 8, scope: 'host'}]})
    const eth0 = d.interfaces.find((i) => i.name === 'eth0')!
    expect(eth0).toMatchObject({kind: 'ether', state: 'up', mac: '02:fc:00:00:00:01', mtu: 1400})
    // virtio reports speed -1: unknown, not a number
    expect(eth0.speedMbps).toBeUndefined()
    expect(d.defaultRoutes.map((r) => r.family).sort()).toEqual(['ipv4', 'ipv6'])
  })

  it('the same as an unprivileged user', () => {
    const root = loadFixture('debian-12-root', 'network')
    const user = loadFixture('debian-12-user', 'network')
    const a = networkProbe.interpret(root.outputs, contextOf(root))
    const b = networkProbe.interpret(user.outputs, contextOf(user))
    expect(b.status).toBe('ok')
    expect(b.data!.interfaces).toEqual(a.data!.interfaces)
  })

  for (const f of fixtures) {
    it(`${f.platform}: falls back to /sys and /proc without ip, saying IPv4 addresses are missing`, () => {
      const withIp = networkProbe.interpret(f.outputs, contextOf(f)).data!
      const outputs = {...f.outputs, ip: {...f.outputs.ip!, stdout: '', stderr: '', exitCode: 127}}
      const r = networkProbe.interpret(outputs, contextOf(f))
      expect(r.status).toBe('partial')
      expect(r.reason).toMatch(/^ip: not installed \(IPv4 addresses\)/)
      expect(problemsOf(NetworkSchema, r.data)).toEqual([])
      const d = r.data!
      expect(d.source).toBe('sysfs')
      for (const i of withIp.interfaces) {
        const j = d.interfaces.find((x) => x.name === i.name)!
        const v6 = (list: {address: string}[]) => list.map((a) => JSON.stringify(a)).sort()
        expect({kind: j.kind, mac: j.mac, mtu: j.mtu, state: j.state, ipv6: v6(j.ipv6)}).toEqual({kind: i.kind, mac: i.mac, mtu: i.mtu, state: i.state, ipv6: v6(i.ipv6)})
        expect(j.ipv4).toEqual([])
      }
    })
  }

  it('is unavailable when neither ip nor /sys/class/net exist', () => {
    const f = fixtures[0]!
    const outputs = {...f.outputs, ip: {...f.outputs.ip!, exitCode: 127}, sys: {...f.outputs.sys!, exitCode: 3}}
    expect(networkProbe.interpret(outputs, contextOf(f))).toEqual({status: 'unavailable', reason: 'ip: not installed; /sys/class/net: not present'})
  })
})

describe('network parsers', () => {
  it('reads a veth with a peer and an unknown link type', () => {
    const links = parseIpLink(
      '5: veth1@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 6e:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n' +
        '6: tun0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UNKNOWN mode DEFAULT group default qlen 500\\    link/none \n',
    )
    expect(links).toEqual([
      {name: 'veth1', kind: 'ether', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operState: 'up', mac: '6e:11:22:33:44:55'},
      {name: 'tun0', kind: 'none', flags: ['POINTOPOINT', 'MULTICAST', 'NOARP', 'UP', 'LOWER_UP'], mtu: 1500, operState: 'unknown'},
    ])
  })

  it('takes the prefix of a point-to-point address from its peer', () => {
    expect(parseIpAddr('7: ppp0    inet 10.0.0.1 peer 10.0.0.2/32 scope global ppp0\\       valid_lft forever preferred_lft forever\n')).toEqual([
      {interface: 'ppp0', family: 'ipv4', address: '10.0.0.1', prefixLength: 32, scope: 'global'},
    ])
  })

  it('rejects a prefix longer than the address', () => {
    expect(() => parseIpAddr('1: lo    inet 127.0.0.1/33 scope host lo\n')).toThrow(ParseError)
  })

  it('reads multipath default routes and skips unreachable ones', () => {
    const text = 'default proto static metric 100\n\tnexthop via 192.0.2.1 dev eth0 weight 1\n\tnexthop via 198.51.100.1 dev eth1 weight 1\nunreachable default metric 4294967295\n'
    expect(parseIpDefaultRoutes(text, 'ipv4')).toEqual([
      {family: 'ipv4', gateway: '192.0.2.1', interface: 'eth0', metric: 100},
      {family: 'ipv4', gateway: '198.51.100.1', interface: 'eth1', metric: 100},
    ])
  })

  it('keeps systemd-resolved upstreams apart from the stub', () => {
    const f = fixtures[0]!
    const outputs = {...f.outputs, dns: {...f.outputs.dns!, stdout: 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n@@upstream\nnameserver 192.0.2.53\nsearch lan\n'}}
    expect(networkProbe.interpret(outputs, contextOf(f)).data!.dns).toEqual({
      servers: ['127.0.0.53'],
      search: ['lan'],
      systemdResolvedStub: true,
      upstreamServers: ['192.0.2.53'],
      upstreamSearch: ['lan'],
    })
  })

  it('treats speed -1 and 4294967295 as unknown', () => {
    expect(parseSysNet('a/speed:-1\nb/speed:4294967295\nc/speed:1000\n').map((l) => l.speedMbps)).toEqual([undefined, undefined, 1000])
  })

  it('comments in resolv.conf are not servers', () => {
    expect(parseResolvConf('# nameserver 1.1.1.1\nnameserver 192.0.2.53 # office\ndomain example.org\n')).toEqual({servers: ['192.0.2.53'], search: ['example.org']})
  })

  const samples = (cmd: string, pick: (t: string) => string = (t) => t) => fixtures.map((f) => pick(f.outputs[cmd]?.stdout ?? ''))
  it('parseIpLink survives garbage', () => assertParserSurvivesGarbage(parseIpLink, samples('ip', (t) => ipSection(t, 'link'))))
  it('parseIpAddr survives garbage', () => assertParserSurvivesGarbage(parseIpAddr, samples('ip', (t) => ipSection(t, 'addr'))))
  it('parseIpDefaultRoutes survives garbage', () =>
    assertParserSurvivesGarbage((t) => parseIpDefaultRoutes(t, 'ipv6'), samples('ip', (t) => ipSection(t, 'route6'))))
  it('parseSysNet survives garbage', () => assertParserSurvivesGarbage(parseSysNet, samples('sys', sysPart)))
  it('parseProcNet survives garbage', () => assertParserSurvivesGarbage(parseProcNet, samples('sys', procPart)))
  it('parseResolvConf survives garbage', () => assertParserSurvivesGarbage(parseResolvConf, samples('dns')))
  for (const cmd of ['ip', 'sys', 'dns']) {
    it(`the whole probe survives garbage in ${cmd}`, () =>
      assertParserSurvivesGarbage(
        (text) => {
          const f = fixtures[0]!
          const outputs = {...f.outputs, [cmd]: {...f.outputs[cmd]!, stdout: text}}
          return networkProbe.interpret(outputs, contextOf(f)).data ?? {interfaces: [], defaultRoutes: [], source: 'ip' as const}
        },
        samples(cmd),
        NetworkSchema,
      ))
  }
})
