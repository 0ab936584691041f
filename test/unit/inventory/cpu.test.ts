import {describe, expect, it} from 'vitest'

import {cpuProbe, cpuVendorName, parseCpuCount, parseCpuInfo, parseLscpu} from '../../../inventory/cpu.js'
import {CpuSchema} from '../../../src/model/sections/cpu.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('cpu')

describe('cpu probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid, complete section that agrees with the raw text`, () => {
      const r = cpuProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe('ok')
      expect(problemsOf(CpuSchema, r.data)).toEqual([])
      const cpuinfo = stdoutOf(f, 'cpuinfo')
      const lscpu = stdoutOf(f, 'lscpu')
      // threads: nproc --all, the first line of the count command
      expect(r.data!.threads).toBe(Number(stdoutOf(f, 'count').split('\n')[0]))
      expect(r.data!.threads).toBeGreaterThanOrEqual(cpuinfo.match(/^processor\s*:/gm)!.length)
      expect(r.data!.model).toBe(/^model name\s*:\s*(.*)$/m.exec(cpuinfo)![1]!.trim())
      expect(r.data!.sockets).toBe(Number(/^Socket\(s\):\s*(\d+)$/m.exec(lscpu)![1]))
      const cps = Number(/^Core\(s\) per socket:\s*(\d+)$/m.exec(lscpu)![1])
      expect(r.data!.cores).toBe(cps * r.data!.sockets!)
      expect(r.data!.hypervisorFlag).toBe(/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo))
      expect(r.data!.aes).toBe(/^flags\s*:.*\baes\b/m.test(cpuinfo))
    })
  }

  it('reads this VM: an AMD EPYC guest, 2 logical CPUs, without VT extensions exposed', () => {
    const f = loadFixture('debian-12-root', 'cpu')
    const d = cpuProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d).toMatchObject({vendor: 'AMD', model: 'AMD EPYC', virtualizationExtension: 'none', hypervisorFlag: true})
    expect(d.cores).toBeLessThanOrEqual(d.threads)
  })

  it('root and user read the same processors', () => {
    const root = loadFixture('debian-12-root', 'cpu')
    const user = loadFixture('debian-12-user', 'cpu')
    const pick = (f: typeof root) => {
      const {mhz: _, ...rest} = cpuProbe.interpret(f.outputs, contextOf(f)).data!
      return rest
    }
    expect(pick(user)).toEqual(pick(root))
  })
})

describe('cpu parsers', () => {
  it('counts sockets and cores from physical/core ids', () => {
    const block = (cpu: number, phys: number, core: number) =>
      `processor\t: ${cpu}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\ncpu MHz\t\t: 2100.000\nphysical id\t: ${phys}\ncore id\t\t: ${core}\nflags\t\t: fpu vmx aes\n\n`
    const text = [block(0, 0, 0), block(1, 0, 1), block(2, 1, 0), block(3, 1, 1), block(4, 0, 0), block(5, 0, 1), block(6, 1, 0), block(7, 1, 1)].join('')
    expect(parseCpuInfo(text)).toMatchObject({processors: 8, sockets: 2, cores: 4, vendor: 'Intel', mhz: 2100, flagsKind: 'x86'})
  })

  it('reads ARM cpuinfo, which has no topology and no hypervisor flag', () => {
    const arm = 'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd aes pmull sha1\nCPU implementer\t: 0x41\n\nprocessor\t: 1\nFeatures\t: fp asimd aes\n'
    const info = parseCpuInfo(arm)
    expect(info).toMatchObject({processors: 2, vendor: 'ARM', flagsKind: 'arm'})
    const r = cpuProbe.interpret(
      {
        cpuinfo: {stdout: arm, stderr: '', exitCode: 0, timedOut: false, durationMs: 1, ran: true},
        lscpu: {stdout: '', stderr: '', exitCode: 127, timedOut: false, durationMs: 1, ran: true},
        count: {stdout: '2\n', stderr: '', exitCode: 0, timedOut: false, durationMs: 1, ran: true},
      },
      {uid: 0, privileged: true, os: 'Linux'},
    )
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^not installed: lscpu/)
    expect(r.data).toMatchObject({threads: 2, aes: true})
    expect(r.data?.hypervisorFlag).toBeUndefined()
  })

  it('maps CPUID vendor strings', () => {
    expect(cpuVendorName('AuthenticAMD')).toBe('AMD')
    expect(cpuVendorName('GenuineIntel')).toBe('Intel')
    expect(cpuVendorName('Whatever')).toBe('Whatever')
  })

  it('reads cpufreq maximum', () => {
    expect(parseCpuCount('16\nmaxkhz=3900000\n')).toEqual({threads: 16, maxMhz: 3900})
    expect(() => parseCpuCount('zero\n')).toThrow(ParseError)
  })

  it('needs a CPU count from lscpu and processors from cpuinfo', () => {
    expect(() => parseLscpu('Architecture: x86_64\n')).toThrow(ParseError)
    expect(() => parseCpuInfo('flags: fpu\n')).toThrow(ParseError)
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseCpuInfo survives garbage', () => assertParserSurvivesGarbage(parseCpuInfo, samples('cpuinfo')))
  it('parseLscpu survives garbage', () => assertParserSurvivesGarbage(parseLscpu, samples('lscpu')))
  it('parseCpuCount survives garbage', () => assertParserSurvivesGarbage(parseCpuCount, samples('count')))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return cpuProbe.interpret(outputs, contextOf(f)).data ?? {threads: 1}
      },
      [...samples('cpuinfo'), ...samples('lscpu')],
      CpuSchema,
    ))
})
