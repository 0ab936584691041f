import {describe, expect, it} from 'vitest'

import {parseChrony, parseNtpq, parseTimedatectl, parseTimeState, timeSyncProbe} from '../../../inventory/time-sync.js'
import {TimeSyncSchema} from '../../../src/model/sections/time-sync.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('timeSync')

describe('timeSync probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section`, () => {
      const r = timeSyncProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe('ok')
      expect(problemsOf(TimeSyncSchema, r.data)).toEqual([])
      const state = stdoutOf(f, 'state')
      // a time daemon runs when the process table has one (its stat lines read here independently; zombies left out)
      expect(r.data!.running).toBe(/^\d+ \((chronyd|systemd-timesyn|ntpd|openntpd)\) [^Z]/m.test(stdoutOf(f, 'processes')))
      expect(r.data!.configuredServers.length).toBe(state.split('\n').filter((l) => /^config \S+:\s*(server|pool|peer)\s/.test(l)).length)
      // no systemd as PID 1 here: timedatectl is not run, and that is no failure
      expect(r.data!.systemdPid1).toBe(false)
      expect(f.outputs.timedatectl!.exitCode).toBe(3)
      expect(typeof r.data!.synchronized).toBe('boolean')
    })
  }

  it('on Debian 12 reads chronyd running, as root and as nobody alike', () => {
    for (const name of ['debian-12-root', 'debian-12-user']) {
      const f = loadFixture(name, 'timeSync')
      const d = timeSyncProbe.interpret(f.outputs, contextOf(f)).data!
      expect(d).toMatchObject({daemon: 'chrony', running: true})
      const stratum = /^Stratum\s*:\s*(\d+)/m.exec(stdoutOf(f, 'chrony'))![1]
      expect(d.stratum).toBe(Number(stratum))
    }
  })

  it('in the Debian 11 chroot chrony is installed but not running, so not synchronized', () => {
    const f = loadFixture('debian-11-chroot', 'timeSync')
    const d = timeSyncProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d).toMatchObject({daemon: 'chrony', running: false, synchronized: false})
    expect(d.stratum).toBeUndefined()
  })
})

describe('timeSync parsers', () => {
  it('reads chrony offsets and sources', () => {
    const c = parseChrony(
      'Reference ID    : C0A80101 (192.168.1.1)\nStratum         : 3\nSystem time     : 0.000120000 seconds slow of NTP time\nLeap status     : Normal\nMS Name/IP address         Stratum Poll Reach LastRx Last sample\n===============================================================================\n^* 192.168.1.1                   2   6   377    34   +12us[  +15us] +/-   12ms\n^? 10.0.0.9                      0   6     0     -     +0ns[   +0ns] +/-    0ns\n',
    )
    expect(c).toMatchObject({stratum: 3, offsetSeconds: -0.00012, synchronized: true})
    expect(c.sources[0]).toMatchObject({address: '192.168.1.1', state: 'selected', mode: 'server', reach: '377', stratum: 2})
    expect(c.sources[0]!.offsetSeconds).toBeCloseTo(12e-6)
    expect(parseChrony('Stratum         : 0\nLeap status     : Not synchronised\n').synchronized).toBe(false)
  })

  it('reads the ntpq billboard in milliseconds', () => {
    const q = parseNtpq('     remote           refid      st t when poll reach   delay   offset  jitter\n==============================================================================\n*192.168.1.1     .GPS.            1 u   33   64  377    0.123   -2.500   0.012\n')
    expect(q).toMatchObject({synchronized: true, offsetSeconds: -0.0025, stratum: 2})
    expect(() => parseNtpq('ntpq: read: Connection refused\n')).toThrow(ParseError)
  })

  it('reads timedatectl show', () => {
    expect(parseTimedatectl('Timezone=UTC\nNTP=yes\nNTPSynchronized=no\n')).toEqual({ntpEnabled: true, synchronized: false})
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseTimeState survives garbage', () => assertParserSurvivesGarbage(parseTimeState, samples('state')))
  it('parseChrony survives garbage', () => assertParserSurvivesGarbage(parseChrony, samples('chrony')))
  it('parseNtpq survives garbage', () =>
    assertParserSurvivesGarbage(parseNtpq, ['     remote           refid      st t when poll reach   delay   offset  jitter\n=====\n*1.2.3.4 .GPS. 1 u 33 64 377 0.1 0.4 0.0\n']))
  it('parseTimedatectl survives garbage', () => assertParserSurvivesGarbage(parseTimedatectl, ['NTP=yes\nNTPSynchronized=yes\n']))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = loadFixture('debian-12-root', 'timeSync')
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text, exitCode: 0}]))
        return timeSyncProbe.interpret(outputs, contextOf(f)).data ?? {daemon: 'none', running: false, installed: [], configuredServers: [], systemdPid1: false}
      },
      [...samples('state'), ...samples('chrony')],
      TimeSyncSchema,
    ))
})
