import {describe, expect, it} from 'vitest'

import {osProbe, parseLoadAverage, parseOsRelease, parseTime, parseUname, parseUptime} from '../../../inventory/os.js'
import {OsSchema} from '../../../src/model/sections/os.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('os')

describe('os probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid, complete section`, () => {
      const r = osProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe('ok')
      expect(problemsOf(OsSchema, r.data)).toEqual([])
      const release = parseOsRelease(stdoutOf(f, 'release'))
      expect(r.data?.distribution).toBe(release.id)
      expect(r.data?.kernel).toBe(stdoutOf(f, 'uname').split('\n')[1])
      expect(r.data?.bootTime).toMatch(/^\d{4}-\d\d-\d\dT/)
      const load = stdoutOf(f, 'load').split(' ').slice(0, 3).map(Number)
      expect(r.data?.loadAverage).toEqual({one: load[0], five: load[1], fifteen: load[2]})
    })
  }

  it('reads Debian 12 as Debian 12 bookworm', () => {
    const f = loadFixture('debian-12-root', 'os')
    const d = osProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d).toMatchObject({family: 'Linux', distribution: 'debian', versionId: '12', codename: 'bookworm', architecture: 'x86_64'})
    expect(d.debianVersion).toMatch(/^12\.\d+$/)
  })
})

describe('os parsers', () => {
  it('reads the three load averages of /proc/loadavg, and nothing else', () => {
    expect(parseLoadAverage('0.43 0.57 12.38 1/234 5678\n')).toEqual({one: 0.43, five: 0.57, fifteen: 12.38})
    expect(() => parseLoadAverage('0.43 0.57\n')).toThrow(ParseError)
    expect(() => parseLoadAverage('-1 0 0 1/2 3\n')).toThrow(ParseError)
  })
  it('parseLoadAverage survives garbage', () => assertParserSurvivesGarbage(parseLoadAverage, fixtures.map((f) => f.outputs.load?.stdout ?? '')))

  it('unquotes os-release values and splits ID_LIKE', () => {
    const r = parseOsRelease('NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\r\nVERSION_ID=\'9.3\'\n# comment\n')
    expect(r).toEqual({id: 'rocky', name: 'Rocky Linux', idLike: ['rhel', 'centos', 'fedora'], versionId: '9.3'})
  })

  it('rejects an os-release with no assignments', () => {
    expect(() => parseOsRelease('garbage\n')).toThrow(ParseError)
  })

  it('needs the three uname lines', () => {
    expect(() => parseUname('Linux\n')).toThrow(ParseError)
  })

  it('reads the time zone and offset', () => {
    expect(parseTime('1700000000 +07 +0700\nAsia/Ho_Chi_Minh\n')).toEqual({
      epochSeconds: 1700000000,
      abbreviation: '+07',
      utcOffset: '+0700',
      zone: 'Asia/Ho_Chi_Minh',
    })
  })

  it('prefers the kernel boot time to a subtraction', () => {
    expect(parseUptime('100.5 30.2\nbtime 1700000000\n')).toEqual({uptimeSeconds: 100, bootEpochSeconds: 1700000000})
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseOsRelease survives garbage', () => assertParserSurvivesGarbage(parseOsRelease, samples('release')))
  it('parseUname survives garbage', () => assertParserSurvivesGarbage(parseUname, samples('uname')))
  it('parseUptime survives garbage', () => assertParserSurvivesGarbage(parseUptime, samples('uptime')))
  it('parseTime survives garbage', () => assertParserSurvivesGarbage(parseTime, samples('time')))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return osProbe.interpret(outputs, contextOf(f)).data ?? {family: 'x', kernel: 'x', architecture: 'x'}
      },
      samples('release'),
      OsSchema,
    ))
})
