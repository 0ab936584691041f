import {describe, expect, it} from 'vitest'

import {biosDateIso, chassisTypeName, dmiValue, parseDmiFiles, systemFromDmi, systemProbe} from '../../../inventory/system.js'
import {SystemSchema} from '../../../src/model/sections/system.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('system')

describe('system probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: says "no DMI" exactly when the machine has no /sys/class/dmi/id`, () => {
      const r = systemProbe.interpret(f.outputs, contextOf(f))
      const noDmi = f.outputs.dmi!.ran && f.outputs.dmi!.exitCode === 3
      if (noDmi) {
        expect(r.status).toBe('unavailable')
        expect(r.reason).toMatch(/^no DMI/)
        expect(r.data).toBeUndefined()
      } else {
        expect(['ok', 'partial']).toContain(r.status)
        expect(problemsOf(SystemSchema, r.data)).toEqual([])
        const vendor = /^sys_vendor:(.*)$/m.exec(f.outputs.dmi!.stdout)?.[1]
        expect(r.data?.vendor).toBe(dmiValue(vendor))
        // a user who cannot read the root-only files is told so
        if (/:!denied$/m.test(f.outputs.dmi!.stdout)) expect(r.reason).toMatch(/^needs root: /)
      }
    })
  }

  it('this Firecracker VM has no DMI, as root and as a user alike', () => {
    for (const name of ['debian-12-root', 'debian-12-user']) {
      const f = loadFixture(name, 'system')
      expect(systemProbe.interpret(f.outputs, contextOf(f)).status).toBe('unavailable')
    }
  })
})

describe('system parsers', () => {
  // grammar: what `grep -H` and the denied loop print on a machine with DMI, as a user
  const sample = [
    'product_serial:!denied',
    'board_serial:!denied',
    'sys_vendor:Dell Inc.',
    'product_name:PowerEdge R640',
    'product_version:Not Specified',
    'product_sku:SKU=NotProvided;ModelName=PowerEdge R640',
    'chassis_type:23',
    'board_vendor:Dell Inc.',
    'board_name:0H28RR',
    'bios_vendor:Dell Inc.',
    'bios_version:2.19.1',
    'bios_date:06/19/2023',
    '',
  ].join('\n')

  it('reads DMI files, drops placeholders and lists the root-only ones', () => {
    const files = parseDmiFiles(sample)
    expect(files.denied).toEqual(['product_serial', 'board_serial'])
    expect(systemFromDmi(files)).toEqual({
      vendor: 'Dell Inc.',
      model: 'PowerEdge R640',
      sku: 'SKU=NotProvided;ModelName=PowerEdge R640',
      chassisType: 'Rack Mount Chassis',
      boardVendor: 'Dell Inc.',
      boardModel: '0H28RR',
      biosVendor: 'Dell Inc.',
      biosVersion: '2.19.1',
      biosDate: '2023-06-19',
    })
    const r = systemProbe.interpret(
      {dmi: {stdout: sample, stderr: '', exitCode: 0, timedOut: false, durationMs: 1, ran: true}},
      {uid: 1000, privileged: false, os: 'Linux'},
    )
    expect(r).toMatchObject({status: 'partial', reason: 'needs root: product_serial, board_serial'})
  })

  it('converts BIOS dates and rejects impossible ones', () => {
    expect(biosDateIso('12/01/2006')).toBe('2006-12-01')
    expect(biosDateIso('04/01/14')).toBe('2014-04-01')
    expect(biosDateIso('02/30/2020')).toBeUndefined()
    expect(biosDateIso('2020-01-01')).toBeUndefined()
  })

  it('names chassis types, ignoring the lock bit', () => {
    expect(chassisTypeName('10')).toBe('Notebook')
    expect(chassisTypeName(String(0x80 | 17))).toBe('Main Server Chassis')
    expect(chassisTypeName('x')).toBeUndefined()
  })

  it('treats firmware placeholders as unknown', () => {
    for (const p of ['To Be Filled By O.E.M.', 'Default string', 'Not Specified', '0123456789', '  ', 'System Product Name']) {
      expect(dmiValue(p)).toBeUndefined()
    }
    expect(dmiValue('  HP  ProLiant ')).toBe('HP ProLiant')
  })

  it('rejects lines that are not FILE:VALUE', () => {
    expect(() => parseDmiFiles('Dell Inc.\n')).toThrow()
  })

  const samples = [sample, ...fixtures.map((f) => f.outputs.dmi?.stdout ?? '')]
  it('parseDmiFiles survives garbage', () => assertParserSurvivesGarbage(parseDmiFiles, samples))
  it('systemFromDmi(parseDmiFiles) survives garbage and stays valid', () =>
    assertParserSurvivesGarbage((t) => systemFromDmi(parseDmiFiles(t)), samples, SystemSchema))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) =>
        systemProbe.interpret({dmi: {stdout: text, stderr: '', exitCode: 0, timedOut: false, durationMs: 1, ran: true}}, {uid: 0, privileged: true, os: 'Linux'})
          .data ?? {},
      samples,
      SystemSchema,
    ))
})
