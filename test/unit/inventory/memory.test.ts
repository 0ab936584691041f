import {describe, expect, it} from 'vitest'

import {dmiSizeBytes, memoryProbe, parseDmidecodeMemory, parseMemInfo} from '../../../inventory/memory.js'
import {MemorySchema} from '../../../src/model/sections/memory.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {CommandOutput} from '../../../inventory/kit/probe.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('memory')
const out = (stdout: string, exitCode = 0, stderr = ''): CommandOutput => ({stdout, stderr, exitCode, timedOut: false, durationMs: 1, ran: true})
const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text)![1]) * 1024

// grammar: a dmidecode 3.x type 17 listing with one populated and one empty slot
const DMIDECODE = `# dmidecode 3.4
Getting SMBIOS data from sysfs.
SMBIOS 3.2.0 present.

Handle 0x0040, DMI type 17, 84 bytes
Memory Device
\tArray Handle: 0x003F
\tTotal Width: 72 bits
\tData Width: 64 bits
\tSize: 32 GB
\tForm Factor: DIMM
\tLocator: A1
\tBank Locator: Not Specified
\tType: DDR4
\tType Detail: Synchronous Registered (Buffered)
\tSpeed: 2933 MT/s
\tManufacturer: 00AD063200AD
\tSerial Number: 42A1B2C3
\tPart Number: HMA84GR7CJR4N-WM    
\tConfigured Memory Speed: 2666 MT/s

Handle 0x0041, DMI type 17, 84 bytes
Memory Device
\tSize: No Module Installed
\tForm Factor: DIMM
\tLocator: A2
\tType: Unknown
\tSpeed: Unknown
`

describe('memory probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads MemTotal exactly, and says why modules are unknown`, () => {
      const r = memoryProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(MemorySchema, r.data)).toEqual([])
      const meminfo = stdoutOf(f, 'meminfo')
      expect(r.data!.totalBytes).toBe(kb(meminfo, 'MemTotal'))
      expect(r.data!.availableBytes).toBe(kb(meminfo, 'MemAvailable'))
      expect(r.data!.swapTotalBytes).toBe(kb(meminfo, 'SwapTotal'))
      expect(r.data!.swapFreeBytes).toBe(kb(meminfo, 'SwapFree'))
      if (f.outputs.modules!.exitCode === 3) expect(r).toMatchObject({status: 'partial', reason: 'no DMI: memory modules'})
      if (r.status === 'partial') expect(r.data!.modules).toBeUndefined()
    })
  }

  it('this VM has no DMI, so no module list, as root and as a user', () => {
    for (const name of ['debian-12-root', 'debian-12-user']) {
      const f = loadFixture(name, 'memory')
      expect(memoryProbe.interpret(f.outputs, contextOf(f)).reason).toBe('no DMI: memory modules')
    }
  })
})

describe('memory parsers', () => {
  it('reads populated modules and counts every slot', () => {
    expect(parseDmidecodeMemory(DMIDECODE)).toEqual({
      slots: 2,
      modules: [
        {
          sizeBytes: 32 * 1024 ** 3,
          type: 'DDR4',
          speedMts: 2933,
          configuredSpeedMts: 2666,
          formFactor: 'DIMM',
          manufacturer: '00AD063200AD',
          partNumber: 'HMA84GR7CJR4N-WM',
          serial: '42A1B2C3',
          locator: 'A1',
        },
      ],
    })
  })

  it('as a user on a machine with DMI: needs root for the modules, not an empty list', () => {
    const r = memoryProbe.interpret(
      {
        meminfo: out('MemTotal:  1024 kB\nMemAvailable: 512 kB\n'),
        modules: out('# dmidecode 3.4\n', 1, '/sys/firmware/dmi/tables/smbios_entry_point: Permission denied\n/dev/mem: Permission denied\n'),
      },
      {uid: 1000, privileged: false, os: 'Linux'},
    )
    expect(r).toEqual({status: 'partial', reason: 'needs root: memory modules', data: {totalBytes: 1024 * 1024, availableBytes: 512 * 1024}})
  })

  it('reads dmidecode sizes in every unit it prints', () => {
    expect(dmiSizeBytes('16384 MB')).toBe(16 * 1024 ** 3)
    expect(dmiSizeBytes('16 GB')).toBe(16 * 1024 ** 3)
    expect(dmiSizeBytes('No Module Installed')).toBeUndefined()
  })

  it('rejects text that is neither meminfo nor dmidecode', () => {
    expect(() => parseMemInfo('MemFree: 10 kB\n')).toThrow(ParseError)
    expect(() => parseDmidecodeMemory('Size: 16 GB\n')).toThrow(ParseError)
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseMemInfo survives garbage', () => assertParserSurvivesGarbage(parseMemInfo, samples('meminfo')))
  it('parseDmidecodeMemory survives garbage', () => assertParserSurvivesGarbage(parseDmidecodeMemory, [DMIDECODE]))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) =>
        memoryProbe.interpret({meminfo: out(text), modules: out(text)}, {uid: 0, privileged: true, os: 'Linux'}).data ?? {totalBytes: 0},
      [...samples('meminfo'), DMIDECODE],
      MemorySchema,
    ))
})
