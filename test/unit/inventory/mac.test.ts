import {describe, expect, it} from 'vitest'

import {macProbe, parseMacState} from '../../../inventory/mac.js'
import {MacSchema} from '../../../src/model/sections/mac.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('mac')

describe('mac probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section`, () => {
      const r = macProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(MacSchema, r.data)).toEqual([])
      const text = stdoutOf(f, 'state')
      // independent reading of the same capture
      expect(r.data!.apparmor.present).toBe(/^apparmor\.present=yes$/m.test(text))
      expect(r.data!.apparmor.enabled).toBe(/^apparmor\.enabled=Y/m.test(text))
      expect(r.data!.selinux.enabled).toBe(/^selinux\.enforce=[01]$/m.test(text))
      if (r.data!.apparmor.enabled && f.uid !== 0) expect(r.reason).toMatch(/^needs root/)
      else expect(r.status).toBe('ok')
    })
  }

  it('this kernel (Debian 12 captures) has neither AppArmor nor SELinux: "none", known without root', () => {
    for (const f of fixtures.filter((x) => x.platform.startsWith('debian-12'))) {
      expect(macProbe.interpret(f.outputs, contextOf(f))).toMatchObject({status: 'ok', data: {active: 'none'}})
    }
  })
})

describe('mac parsers', () => {
  it('counts AppArmor profiles by mode and reads SELinux config', () => {
    const s = parseMacState(
      'apparmor.present=yes\napparmor.enabled=Y\n--- profiles\n/usr/sbin/cupsd (enforce)\nnvidia_modprobe (complain)\nunix-chkpwd (enforce)\n---\nselinux.enforce=\n--- selinux config\nSELINUX=disabled\nSELINUXTYPE=targeted\n',
    )
    expect(s.apparmor.profiles).toEqual({total: 3, enforce: 2, complain: 1, kill: 0, unconfined: 0, other: 0})
    expect(s.selinux).toEqual({enabled: false, mode: 'disabled', configMode: 'disabled', configType: 'targeted'})
  })

  it('tells a refused profile list apart', () => {
    expect(parseMacState('apparmor.present=yes\napparmor.enabled=Y\napparmor.profiles=denied\nselinux.enforce=\n').apparmor).toMatchObject({enabled: true, profilesDenied: true})
    expect(() => parseMacState('garbage\n')).toThrow(ParseError)
  })

  const samples = fixtures.map((f) => f.outputs.state?.stdout ?? '')
  it('parseMacState survives garbage', () => assertParserSurvivesGarbage(parseMacState, samples))
  it('the whole probe survives garbage', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        return macProbe.interpret({state: {...f.outputs.state!, stdout: text}}, contextOf(f)).data ?? {active: 'none', apparmor: {present: false, enabled: false}, selinux: {enabled: false, mode: 'disabled'}}
      },
      samples,
      MacSchema,
    ))
})
