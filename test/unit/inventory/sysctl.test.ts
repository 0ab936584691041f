import {describe, expect, it} from 'vitest'

import {parseCoreDumps, parseProcSys, sysctlProbe} from '../../../inventory/sysctl.js'
import {SYSCTL_KEYS, SysctlSchema} from '../../../src/model/sections/sysctl.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('sysctl')

describe('sysctl probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section`, () => {
      const r = sysctlProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(SysctlSchema, r.data)).toEqual([])
      const d = r.data!
      // independent reading: one "path:value" line per readable parameter
      const pairs = stdoutOf(f, 'proc').split('\n').filter((l) => /^[a-z]/.test(l))
      expect(Object.keys(d.params).length).toBe(pairs.length)
      const aslr = pairs.find((l) => l.startsWith('kernel/randomize_va_space:'))!.split(':')[1]
      expect(d.params['kernel.randomize_va_space']).toBe(aslr)
      expect(Object.keys(d.params).length + d.absent.length + d.unreadable.length).toBe(SYSCTL_KEYS.length)
      if (d.unreadable.length) expect(r.reason).toMatch(/^needs root: /)
      expect(d.coreDumps).toBeDefined()
    })
  }

  it('as nobody some parameters are root-only; as root none is', () => {
    const user = sysctlProbe.interpret(loadFixture('debian-12-user', 'sysctl').outputs, contextOf(loadFixture('debian-12-user', 'sysctl')))
    const root = sysctlProbe.interpret(loadFixture('debian-12-root', 'sysctl').outputs, contextOf(loadFixture('debian-12-root', 'sysctl')))
    expect(root.data!.unreadable).toEqual([])
    expect(user.status).toBe('partial')
    for (const k of user.data!.unreadable) expect(root.data!.params[k]).toBeDefined()
  })
})

describe('sysctl parsers', () => {
  it('keeps values with colons and reads refused parameters', () => {
    const r = parseProcSys('kernel/core_pattern:|/usr/lib/systemd/systemd-coredump %P %u %g %s %t 9223372036854775808 %h\n!denied net/core/bpf_jit_harden\n')
    expect(r.params['kernel.core_pattern']).toMatch(/^\|\/usr\/lib\/systemd\/systemd-coredump %P/)
    expect(r.unreadable).toEqual(['net.core.bpf_jit_harden'])
    expect(() => parseProcSys('garbage line\n')).toThrow(ParseError)
  })

  it('takes the last limits line and the coredump drop-ins over the main file', () => {
    const c = parseCoreDumps(
      'limits /etc/security/limits.conf:*               hard    core            0\nlimits /etc/security/limits.d/90-dev.conf:*  hard core unlimited\ncoredump installed\nconf /etc/systemd/coredump.conf:Storage=external\nconf /etc/systemd/coredump.conf.d/50.conf:Storage=none\n',
    )
    expect(c).toMatchObject({hardLimitZero: false, systemdCoredump: true, storage: 'none'})
    expect(c.limits).toHaveLength(2)
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseProcSys survives garbage', () => assertParserSurvivesGarbage(parseProcSys, samples('proc')))
  it('parseCoreDumps survives garbage', () =>
    assertParserSurvivesGarbage(parseCoreDumps, [...samples('coredump'), 'limits /etc/security/limits.conf:* hard core 0\nconf /etc/systemd/coredump.conf:Storage=none\n']))
  it('the whole probe survives garbage', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return sysctlProbe.interpret(outputs, contextOf(f)).data ?? {params: {}, absent: [], unreadable: []}
      },
      samples('proc'),
      SysctlSchema,
    ))
})
