import {describe, expect, it} from 'vitest'

import path from 'node:path'

import {firewallProbe, parseFirewalld, parseIptables, parseKernelTables, parseNftRuleset, parseUfw} from '../../../inventory/firewall.js'
import {FirewallSchema} from '../../../src/model/sections/firewall.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, FIXTURES, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'
import {withData, withSection} from '../../support/snapshots.js'

const fixtures = probeFixtures('firewall')
/** A real host snapshot (a fleet fixture host) to put a captured firewall section in. */
const fleetHost = () => loadSnapshots([path.join(FIXTURES, 'fleet', 'web1.json')])[0]!

describe('firewall probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section and says what it read`, () => {
      const r = firewallProbe.interpret(f.outputs, contextOf(f))
      if (r.data) expect(problemsOf(FirewallSchema, r.data)).toEqual([])
      if (f.uid === 0 && f.outputs.nft?.exitCode === 0) {
        expect(r.status).toBe('ok')
        // independent reading: one table a "table" line
        const tables = stdoutOf(f, 'nft').split('\n').filter((l) => l.startsWith('table ')).length
        expect(r.data!.nftables!.tables.length).toBe(tables)
        expect(typeof r.data!.active).toBe('boolean')
        expect(r.data!.inputPolicy).toMatch(/^(accept|drop|reject)$/)
        expect(r.data!.read).toEqual(expect.arrayContaining(['nft list ruleset', 'iptables -S', '/proc/net/ip_tables_names']))
      } else if (f.uid === 0) {
        expect(r.status).toBe('partial')
        expect(r.reason).toMatch(/^cannot tell whether rules filter traffic: no nft or iptables installed/)
        expect(r.data!.active).toBeUndefined()
      } else {
        expect(r.status).toMatch(/^(partial|unavailable)$/)
        expect(r.reason).toMatch(/^needs root/)
        expect(r.data?.active).toBeUndefined()
      }
    })
  }

  it('as root where rules are loaded (a network namespace of this machine) sees the nftables ruleset and the iptables-nft rule', () => {
    const f = loadFixture('debian-12-rules', 'firewall')
    const d = firewallProbe.interpret(f.outputs, contextOf(f)).data!
    const text = stdoutOf(f, 'nft')
    const inputPolicies = [...text.matchAll(/hook input priority [^;]+; policy (\w+);/g)].map((m) => m[1])
    expect(inputPolicies).toContain('drop')
    expect(d.inputPolicy).toBe('drop')
    expect(d.active).toBe(true)
    const ipt = d.iptables!.find((v) => v.command === 'iptables')!
    expect(ipt.variant).toBe('nf_tables')
    expect(ipt.chains.find((c) => c.name === 'INPUT')!.rules).toBe(stdoutOf(f, 'iptables').split('\n').filter((l) => l.startsWith('-A INPUT')).length)
    expect(d.ufw?.enabled).toBe(/^ENABLED=yes/m.test(stdoutOf(f, 'ufw')))
  })

  it('as root on this machine without any firewall tool does not claim the firewall is off: it says what it read', () => {
    const f = loadFixture('debian-12-root', 'firewall')
    expect(f.outputs.nft!.exitCode).toBe(127)
    expect(f.outputs.iptables!.exitCode).toBe(127)
    const r = firewallProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.data!.active).toBeUndefined()
    expect(r.data!.backend).toBeUndefined()
    expect(r.data!.inputPolicy).toBeUndefined()
    expect(r.data!.tools).toEqual([])
    expect(r.data!.read).toEqual(['/proc/net/ip_tables_names', '/proc/net/ip6_tables_names'])
    expect(r.data!.kernel).toEqual({ipTables: [], ip6Tables: [], nfTables: 'unknown'})
  })

  it('says the firewall is off only on evidence: rules listed and none filtering (the chroots list this namespace, which has none)', () => {
    for (const f of fixtures.filter((x) => x.platform.endsWith('-chroot'))) {
      const d = firewallProbe.interpret(f.outputs, contextOf(f)).data!
      expect(d.read).toContain('nft list ruleset')
      expect(d).toMatchObject({active: false, backend: 'none', inputPolicy: 'accept'})
    }
    // no tool at all, but the kernel says nf_tables is not loaded and holds no legacy filter table: nothing can filter
    const f = loadFixture('debian-12-root', 'firewall')
    const empty = {...f.outputs.kernel!, stdout: 'read /proc/net/ip_tables_names\nabsent /proc/net/ip6_tables_names\nnf_tables not-loaded\n'}
    const r = firewallProbe.interpret({...f.outputs, kernel: empty}, contextOf(f))
    expect(r).toMatchObject({status: 'ok', data: {active: false, backend: 'none', read: ['/proc/net/ip_tables_names', '/proc/net/ip6_tables_names', '/proc/modules']}})
    // a legacy filter table the tools did not list: unknown again
    const legacy = {...f.outputs.kernel!, stdout: 'read /proc/net/ip_tables_names\ntable /proc/net/ip_tables_names filter\nabsent /proc/net/ip6_tables_names\nnf_tables not-loaded\n'}
    const l = firewallProbe.interpret({...f.outputs, kernel: legacy}, contextOf(f))
    expect(l.status).toBe('partial')
    expect(l.reason).toMatch(/the kernel holds a legacy iptables filter table and no iptables-legacy listed it/)
    expect(l.data!.active).toBeUndefined()
  })

  it('the firewall checks of the packs are unknown without evidence, and still pass and fail on real rules', () => {
    const packs = ['linux-server', 'linux-workstation'].map((p) => loadPack(packFile(p)))
    const base = withData(fleetHost(), 'packages', {managers: ['dpkg'], items: [{name: 'gdm3', version: '1', architecture: 'amd64', manager: 'dpkg', status: 'ii'}]})
    const verdicts = (platform: string) => {
      const f = loadFixture(platform, 'firewall')
      const section = firewallProbe.interpret(f.outputs, contextOf(f))
      const results = runChecks(withSection(base, 'firewall', section), packs).results
      return ['firewall.active', 'firewall.default-deny', 'ws.firewall-active', 'ws.firewall-default-deny'].map((id) => `${id} ${results.find((x) => x.check === id)!.status}`)
    }
    expect(verdicts('debian-12-root')).toEqual(['firewall.active unknown', 'firewall.default-deny unknown', 'ws.firewall-active unknown', 'ws.firewall-default-deny unknown'])
    expect(verdicts('debian-12-user')).toEqual(['firewall.active unknown', 'firewall.default-deny unknown', 'ws.firewall-active unknown', 'ws.firewall-default-deny unknown'])
    expect(verdicts('debian-12-rules')).toEqual(['firewall.active pass', 'firewall.default-deny pass', 'ws.firewall-active pass', 'ws.firewall-default-deny pass'])
    expect(verdicts('debian-13-chroot')).toEqual(['firewall.active fail', 'firewall.default-deny fail', 'ws.firewall-active fail', 'ws.firewall-default-deny fail'])
  })

  it('as nobody needs root for the rules but reads ufw configuration', () => {
    const f = loadFixture('debian-12-rules-user', 'firewall')
    const r = firewallProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^needs root: nft ruleset, iptables rules, ip6tables rules, kernel tables/)
    expect(r.data!.ufw?.defaultInput).toBe(/DEFAULT_INPUT_POLICY="DROP"/.test(stdoutOf(f, 'ufw')) ? 'drop' : 'accept')
    expect(r.data!.nftables).toBeUndefined()
  })
})

describe('firewall parsers', () => {
  it('counts rules, not set elements spread over lines', () => {
    const t = parseNftRuleset('table inet f {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 1.2.3.4,\n\t\t\t5.6.7.8 }\n\t}\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n\t\tip saddr { 1.1.1.1,\n\t\t\t2.2.2.2 } accept\n\t}\n}\n')
    expect(t.tables[0]!.chains).toEqual([{name: 'input', type: 'filter', hook: 'input', priority: '0', policy: 'drop', rules: 1}])
  })

  it('reads "not loaded" as no ruleset, without running nft', () => {
    expect(parseNftRuleset('# not loaded\n')).toEqual({loaded: false, tables: []})
    expect(() => parseNftRuleset('table inet f {\n')).toThrow(ParseError)
  })

  it('reads a legacy listing and its refusal', () => {
    const r = parseIptables('==> iptables\niptables v1.8.7 (legacy)\n-P INPUT DROP\n-N f2b\n-A INPUT -j f2b\n# exit 0\n==> ip6tables\nip6tables v1.8.7 (legacy)\n# exit 4\n')
    expect(r.views[0]).toMatchObject({variant: 'legacy', chains: [{name: 'INPUT', policy: 'DROP', rules: 1}, {name: 'f2b', rules: 0}]})
    expect(r.denied).toEqual(['ip6tables'])
  })

  it('reads ufw status defaults and rules', () => {
    const u = parseUfw('==> /etc/ufw/ufw.conf\nENABLED=yes\n==> status\nStatus: active\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n\nTo Action From\n-- ------ ----\n22/tcp ALLOW IN Anywhere\n')
    expect(u).toMatchObject({enabled: true, active: true, defaultInput: 'drop', defaultOutput: 'accept', rules: 1})
    expect(parseFirewalld('running\nDefaultZone=public\n')).toEqual({running: true, defaultZone: 'public'})
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseNftRuleset survives garbage', () => assertParserSurvivesGarbage(parseNftRuleset, samples('nft')))
  it('parseIptables survives garbage', () => assertParserSurvivesGarbage(parseIptables, samples('iptables')))
  it('parseUfw survives garbage', () => assertParserSurvivesGarbage(parseUfw, samples('ufw')))
  it('parseKernelTables reads what the kernel holds, and survives garbage', () => {
    expect(parseKernelTables('read /proc/net/ip_tables_names\ntable /proc/net/ip_tables_names filter\ntable /proc/net/ip_tables_names nat\ndenied /proc/net/ip6_tables_names\nnf_tables loaded\n')).toEqual({
      ipTables: ['filter', 'nat'],
      nfTables: 'loaded',
      read: ['/proc/net/ip_tables_names', '/proc/modules'],
      denied: ['/proc/net/ip6_tables_names'],
    })
    expect(() => parseKernelTables('read /proc/net/ip_tables_names\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseKernelTables, samples('kernel'))
  })
  it('parseFirewalld survives garbage', () => assertParserSurvivesGarbage(parseFirewalld, ['running\nDefaultZone=public\n', 'stopped\n']))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = loadFixture('debian-12-rules', 'firewall')
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return firewallProbe.interpret(outputs, contextOf(f)).data ?? {tools: []}
      },
      [...samples('nft'), ...samples('iptables'), ...samples('kernel')],
      FirewallSchema,
    ))
})
