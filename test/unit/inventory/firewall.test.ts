import {describe, expect, it} from 'vitest'

import {FirewallSchema, firewallProbe, parseFirewalld, parseIptables, parseNftRuleset, parseUfw} from '../../../inventory/firewall.js'
import {ParseError} from '../../../src/collect/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('firewall')

describe('firewall probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section`, () => {
      const r = firewallProbe.interpret(f.outputs, contextOf(f))
      if (f.uid === 0) {
        expect(r.status).toBe('ok')
        expect(problemsOf(FirewallSchema, r.data)).toEqual([])
        // independent reading: one table a "table" line
        const tables = stdoutOf(f, 'nft').split('\n').filter((l) => l.startsWith('table ')).length
        expect(r.data!.nftables!.tables.length).toBe(tables)
        expect(typeof r.data!.active).toBe('boolean')
        expect(r.data!.inputPolicy).toMatch(/^(accept|drop|reject)$/)
      } else {
        expect(r.status).toMatch(/^(partial|unavailable)$/)
        expect(r.reason).toMatch(/^needs root/)
        if (r.data) expect(problemsOf(FirewallSchema, r.data)).toEqual([])
        expect(r.data?.active).toBeUndefined()
      }
    })
  }

  it('as root on Debian 12 sees the nftables ruleset and the iptables-nft rule', () => {
    const f = loadFixture('debian-12-root', 'firewall')
    const d = firewallProbe.interpret(f.outputs, contextOf(f)).data!
    const text = stdoutOf(f, 'nft')
    const inputPolicies = [...text.matchAll(/hook input priority [^;]+; policy (\w+);/g)].map((m) => m[1])
    expect(d.inputPolicy).toBe(inputPolicies.includes('drop') ? 'drop' : 'accept')
    expect(d.active).toBe(true)
    const ipt = d.iptables!.find((v) => v.command === 'iptables')!
    expect(ipt.variant).toBe('nf_tables')
    expect(ipt.chains.find((c) => c.name === 'INPUT')!.rules).toBe(stdoutOf(f, 'iptables').split('\n').filter((l) => l.startsWith('-A INPUT')).length)
    expect(d.ufw?.enabled).toBe(/^ENABLED=yes/m.test(stdoutOf(f, 'ufw')))
  })

  it('as nobody on Debian 12 needs root for the rules but reads ufw configuration', () => {
    const f = loadFixture('debian-12-user', 'firewall')
    const r = firewallProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^needs root: nft ruleset/)
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
  it('parseFirewalld survives garbage', () => assertParserSurvivesGarbage(parseFirewalld, ['running\nDefaultZone=public\n', 'stopped\n']))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = loadFixture('debian-12-root', 'firewall')
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return firewallProbe.interpret(outputs, contextOf(f)).data ?? {tools: []}
      },
      [...samples('nft'), ...samples('iptables')],
      FirewallSchema,
    ))
})
