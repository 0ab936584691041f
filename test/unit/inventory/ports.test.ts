import {describe, expect, it} from 'vitest'

import {parseProcNetSockets, parseSs, parseSsUsers, portsProbe} from '../../../inventory/ports.js'
import {PortsSchema} from '../../../src/model/sections/ports.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('ports')
const key = (s: {protocol: string; family: string; address: string; port: number}) => `${s.protocol} ${s.family} ${s.address} ${s.port}`

describe('ports probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: lists every socket ss printed, agreeing with the kernel's /proc tables`, () => {
      const r = portsProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe(f.uid === 0 ? 'ok' : 'partial')
      expect(problemsOf(PortsSchema, r.data)).toEqual([])
      const d = r.data!
      expect(d.source).toBe('ss')
      // one entry per line of ss, none merged
      const ssLines = stdoutOf(f, 'ss').split('\n').filter((l) => /^(tcp|udp)\s/.test(l))
      expect(d.listening).toHaveLength(ssLines.length)
      // the same address+port pairs as /proc/net/{tcp,udp}{,6}
      const proc = parseProcNetSockets(stdoutOf(f, 'proc'))
      expect(d.listening.map(key).sort()).toEqual(proc.map(key).sort())
      // TCP ports exactly as `ss -ltn` would list them (the acceptance test's comparison)
      const tcpPorts = ssLines.filter((l) => l.startsWith('tcp')).map((l) => Number(l.trim().split(/\s+/)[4]!.replace(/^.*:/, '')))
      expect(d.listening.filter((s) => s.protocol === 'tcp').map((s) => s.port).sort()).toEqual(tcpPorts.sort())
    })
  }

  it('as root names the processes, and says so when a socket has none visible', () => {
    const f = loadFixture('debian-12-root', 'ports')
    const d = portsProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.listening.every((s) => Array.isArray(s.processes))).toBe(true)
    const named = stdoutOf(f, 'ss').split('\n').filter((l) => l.includes('users:((')).length
    expect(d.listening.filter((s) => s.processes!.length > 0)).toHaveLength(named)
  })

  it('as a user says process names need root and leaves them unknown', () => {
    const f = loadFixture('debian-12-user', 'ports')
    const r = portsProbe.interpret(f.outputs, contextOf(f))
    expect(r).toMatchObject({status: 'partial', reason: "needs root: process names of other users' sockets"})
    const root = loadFixture('debian-12-root', 'ports')
    const rootData = portsProbe.interpret(root.outputs, contextOf(root)).data!
    // root's sockets: visible to the user, their owners are not
    expect(r.data!.listening.map(key).sort()).toEqual(rootData.listening.map(key).sort())
    expect(r.data!.listening.some((s) => s.processes === undefined)).toBe(true)
  })

  for (const f of fixtures) {
    it(`${f.platform}: falls back to /proc/net without ss`, () => {
      const outputs = {...f.outputs, ss: {...f.outputs.ss!, stdout: '', exitCode: 127}}
      const r = portsProbe.interpret(outputs, contextOf(f))
      expect(r).toMatchObject({status: 'partial', reason: 'ss: not installed: process names'})
      expect(problemsOf(PortsSchema, r.data)).toEqual([])
      const withSs = portsProbe.interpret(f.outputs, contextOf(f)).data!
      expect(r.data!.listening.map(key).sort()).toEqual(withSs.listening.map(key).sort())
    })
  }
})

describe('ports parsers', () => {
  it('reads zones, interface-bound sockets, dual-stack and v6-only wildcards, with or without the header', () => {
    const text =
      'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
      'udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=510,fd=13))\n' +
      'udp   UNCONN 0      0      [fe80::1%eth0]:546         [::]:*\n' +
      'tcp   LISTEN 0      128                *:80              *:*    users:(("apache2",pid=9,fd=4),("apache2",pid=10,fd=4))\n' +
      'tcp   LISTEN 0      128             [::]:22           [::]:*\n'
    expect(parseSs(text, true)).toEqual([
      {protocol: 'udp', family: 'ipv4', address: '127.0.0.53', port: 53, interface: 'lo', processes: [{name: 'systemd-resolve', pid: 510}]},
      {protocol: 'udp', family: 'ipv6', address: 'fe80::1', port: 546, interface: 'eth0', processes: []},
      {protocol: 'tcp', family: 'ipv6', address: '::', port: 80, dualStack: true, processes: [{name: 'apache2', pid: 9}, {name: 'apache2', pid: 10}]},
      {protocol: 'tcp', family: 'ipv6', address: '::', port: 22, dualStack: false, processes: []},
    ])
  })

  it('keeps a process name with a quote in it', () => {
    expect(parseSsUsers('users:(("a\\"b",pid=1,fd=3))')).toEqual([{name: 'a\\"b', pid: 1}])
    expect(parseSsUsers('users:(("we"ird",pid=2,fd=3))')).toEqual([{name: 'we"ird', pid: 2}])
  })

  it('rejects a line that is not a socket', () => {
    expect(() => parseSs('raw UNCONN 0 0 *:1 *:*\n', true)).toThrow(ParseError)
    expect(() => parseProcNetSockets('/proc/net/tcp6 0100007F:0016\n')).toThrow(ParseError)
  })

  it('prints IPv4-mapped addresses of /proc/net/tcp6 as iproute2 does', () => {
    expect(parseProcNetSockets('/proc/net/tcp6 0000000000000000FFFF00000100007F:0016\n')).toEqual([
      {protocol: 'tcp', family: 'ipv6', address: '::ffff:127.0.0.1', port: 22},
    ])
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseSs survives garbage', () => assertParserSurvivesGarbage((t) => parseSs(t, true), samples('ss')))
  it('parseSsUsers survives garbage', () => assertParserSurvivesGarbage(parseSsUsers, samples('ss')))
  it('parseProcNetSockets survives garbage', () => assertParserSurvivesGarbage(parseProcNetSockets, samples('proc')))
  for (const cmd of ['ss', 'proc']) {
    it(`the whole probe survives garbage in ${cmd}`, () =>
      assertParserSurvivesGarbage(
        (text) => {
          const f = fixtures[0]!
          const outputs = {...f.outputs, ss: {...f.outputs.ss!, exitCode: cmd === 'proc' ? 127 : 0}, [cmd]: {...f.outputs[cmd]!, stdout: text}}
          return portsProbe.interpret(outputs, contextOf(f)).data ?? {listening: [], source: 'ss' as const}
        },
        samples(cmd),
        PortsSchema,
      ))
  }
})
