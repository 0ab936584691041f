import {describe, expect, it} from 'vitest'

import {parseNumberedFiles} from '../../../inventory/kit/numbered-files.js'
import {passwordPolicy, passwordPolicyProbe} from '../../../inventory/password-policy.js'
import {PasswordPolicySchema} from '../../../src/model/sections/password-policy.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('passwordPolicy')
const numbered = (files: Record<string, string>) =>
  Object.entries(files)
    .map(([path, text]) => `!file ${path}\n${text.split('\n').map((l, i) => `${i + 1}:${l}`).join('\n')}\n`)
    .join('')
const interpret = (platform: string) => {
  const f = loadFixture(platform, 'passwordPolicy')
  return passwordPolicyProbe.interpret(f.outputs, contextOf(f))
}

describe('password policy probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(4))

  for (const f of fixtures) {
    it(`${f.platform}: a valid section from the PAM files it printed`, () => {
      const r = passwordPolicyProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(PasswordPolicySchema, r.data)).toEqual([])
      expect(r.data!.pamFiles).toEqual(['/etc/pam.d/common-password', '/etc/pam.d/common-auth'])
    })
  }

  it("Debian's defaults (this machine, the chroots): no quality module, no history, no lockout", () => {
    for (const p of ['debian-12-root', 'debian-12-user', 'debian-11-chroot', 'debian-13-chroot']) {
      const d = interpret(p).data!
      expect([d.quality, d.history, d.lockout], p).toEqual([undefined, undefined, undefined])
    }
  })

  it('the pass lab: each setting with the file and line that set it, defaults where none does', () => {
    const d = interpret('debian-11-logins-pass').data!
    const text = stdoutOf(loadFixture('debian-11-logins-pass', 'passwordPolicy'), 'files')
    const lineOf = (file: string, n: number) => text.split(`!file ${file}\n`)[1]!.split('\n').find((l) => l.startsWith(`${n}:`))
    expect(d.quality).toMatchObject({module: 'pam_pwquality', minLength: {value: 14, file: '/etc/security/pwquality.conf'}, minClass: {value: 4}, dcredit: {value: -1, file: '/etc/security/pwquality.conf.d/50-hatang.conf'}, ucredit: {value: 0}, retry: {value: 3}})
    expect(d.quality!.ucredit.file).toBeUndefined()
    expect(lineOf('/etc/security/pwquality.conf', d.quality!.minLength.line!)).toMatch(/:minlen = 14$/)
    expect(lineOf('/etc/pam.d/common-password', d.quality!.line)).toMatch(/pam_pwquality\.so retry=3/)
    expect(d.history).toMatchObject({module: 'pam_pwhistory', remember: {value: 5, file: '/etc/pam.d/common-password'}})
    expect(d.lockout).toMatchObject({module: 'pam_faillock', deny: {value: 5, file: '/etc/security/faillock.conf'}, unlockTime: {value: 900}, failInterval: {value: 900}})
    expect(lineOf('/etc/security/faillock.conf', d.lockout!.deny.line!)).toMatch(/:deny = 5$/)
  })

  it('the fail lab: pam_unix remember=2, faillock deny = 10 over its default, no quality module', () => {
    const d = interpret('debian-11-logins-fail').data!
    expect(d.quality).toBeUndefined()
    expect(d.history).toMatchObject({module: 'pam_unix', remember: {value: 2}})
    expect(d.lockout).toMatchObject({deny: {value: 10}, unlockTime: {value: 600}})
    expect(d.lockout!.unlockTime.file).toBeUndefined()
  })

  it('module arguments win over the files; the main file over pwquality.conf.d; commented lines count for nothing', () => {
    const d = passwordPolicy(
      parseNumberedFiles(
        numbered({
          '/etc/pam.d/common-password': '#password requisite pam_cracklib.so minlen=20\npassword requisite /lib/security/pam_pwquality.so minlen=12\npassword [success=1 default=ignore] pam_unix.so obscure remember=7 yescrypt',
          '/etc/pam.d/common-auth': '-auth required pam_faillock.so preauth deny=4 unlock_time=0',
          '/etc/security/pwquality.conf.d/10-a.conf': 'minlen = 9\nminclass = 2',
          '/etc/security/pwquality.conf': 'minclass = 3\n# minclass = 1',
          '/etc/security/faillock.conf': 'deny = 8',
        }),
      ),
    )
    expect(d.quality).toMatchObject({module: 'pam_pwquality', line: 2, minLength: {value: 12, file: '/etc/pam.d/common-password', line: 2}, minClass: {value: 3, file: '/etc/security/pwquality.conf', line: 1}})
    expect(d.history).toEqual({module: 'pam_unix', remember: {value: 7, file: '/etc/pam.d/common-password', line: 3}})
    expect(d.lockout).toMatchObject({deny: {value: 4, file: '/etc/pam.d/common-auth'}, unlockTime: {value: 0}})
  })

  it('survives garbage', () => {
    assertParserSurvivesGarbage((t: string) => passwordPolicy(parseNumberedFiles(t)), fixtures.map((f) => stdoutOf(f, 'files')))
  })
})
