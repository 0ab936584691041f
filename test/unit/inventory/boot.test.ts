import {describe, expect, it} from 'vitest'

import {bootProbe, cmdlineParams, parseBoot} from '../../../inventory/boot.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {BootSchema} from '../../../src/model/sections/boot.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('boot')
const interpret = (platform: string) => {
  const f = loadFixture(platform, 'boot')
  return bootProbe.interpret(f.outputs, contextOf(f))
}

describe('boot probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(4))

  for (const f of fixtures.filter((x) => !x.platform.startsWith('debian-12-vm-'))) {
    it(`${f.platform}: a valid section; the kernel command line as /proc prints it; no EFI, no TPM on this machine`, () => {
      const r = bootProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(BootSchema, r.data)).toEqual([])
      const d = r.data!
      expect(d.cmdline).toContain('console=ttyS0')
      expect(d.firmware).toBe('bios')
      expect(d.secureBoot).toBeUndefined()
      expect(d.tpm).toEqual({present: false, devices: []})
    })
  }

  it('the EFI virtual machine (scripts/capture-vm.sh): EFI, Secure Boot read from the efivar byte, on with Microsoft\'s keys enrolled, off with none; no TPM', () => {
    const on = interpret('debian-12-vm-secureboot')
    const off = interpret('debian-12-vm-efi')
    for (const [p, r] of [['debian-12-vm-secureboot', on], ['debian-12-vm-efi', off]] as const) {
      expect(problemsOf(BootSchema, r.data), p).toEqual([])
      expect(r.status, p).toBe('ok')
      expect(r.data, p).toMatchObject({firmware: 'efi', tpm: {present: false, devices: []}})
      // the command line grub.cfg gave the signed kernel, as /proc printed it
      const printed = stdoutOf(loadFixture(p, 'boot'), 'boot').split('\n')[1]!
      expect(r.data!.cmdline, p).toEqual(printed.split(' '))
      expect(r.data!.cmdline, p).toEqual(expect.arrayContaining(['ro', 'console=ttyS0']))
    }
    expect(stdoutOf(loadFixture('debian-12-vm-secureboot', 'boot'), 'boot')).toMatch(/^!efivar 1$/m)
    expect(on.data!.secureBoot).toEqual({enabled: true, source: 'efivar'})
    expect(stdoutOf(loadFixture('debian-12-vm-efi', 'boot'), 'boot')).toMatch(/^!efivar 0$/m)
    expect(off.data!.secureBoot).toEqual({enabled: false, source: 'efivar'})
  })

  it('the virtual machine has GRUB installed (/etc/grub.d/40_custom, no password in it) and no /boot/grub/grub.cfg (its grub.cfg is on the ESP): no password', () => {
    for (const p of ['debian-12-vm-secureboot', 'debian-12-vm-efi']) {
      expect(interpret(p).data!.bootloader, p).toEqual({grub: true, password: false, files: [{file: '/etc/grub.d/40_custom', readable: true, superusers: false, password: false}]})
    }
  })

  it('no GRUB on this machine or the chroots: nothing to protect, password unknown, not invented', () => {
    for (const p of ['debian-12-root', 'debian-12-user', 'debian-11-chroot', 'debian-13-chroot']) {
      expect(interpret(p), p).toMatchObject({status: 'ok', data: {bootloader: {grub: false, files: []}}})
      expect(interpret(p).data!.bootloader.password, p).toBeUndefined()
    }
  })

  it('a grub.cfg (0600) with superusers and password_pbkdf2: set as root; needs root as nobody; a grub.cfg without: not set', () => {
    expect(interpret('debian-12-grub-password')).toMatchObject({status: 'ok', data: {bootloader: {grub: true, password: true, files: [{file: '/boot/grub/grub.cfg', readable: true, superusers: true, password: true}]}}})
    const user = interpret('debian-12-grub-password-user')
    expect(user).toMatchObject({status: 'partial', data: {bootloader: {grub: true, files: [{file: '/boot/grub/grub.cfg', readable: false}]}}})
    expect(user.reason).toMatch(/boot loader password: cannot read \/boot\/grub\/grub\.cfg \(needs root\)/)
    expect(user.data!.bootloader.password).toBeUndefined()
    expect(interpret('debian-12-grub-open')).toMatchObject({status: 'ok', data: {bootloader: {grub: true, password: false, files: [{superusers: false, password: false}]}}})
    // the hash is never in the captured output, only counts
    for (const p of ['debian-12-grub-password', 'debian-12-grub-password-user']) expect(stdoutOf(loadFixture(p, 'boot'), 'boot')).not.toMatch(/pbkdf2/)
  })
})

describe('boot parser', () => {
  it('reads Secure Boot from the efivar byte, mokutil where the variable cannot be read, and says when neither tells', () => {
    expect(parseBoot('!firmware efi\n!efivar 1\n').secureBoot).toEqual({enabled: true, source: 'efivar'})
    expect(parseBoot('!firmware efi\n!efivar 0\n').secureBoot).toEqual({enabled: false, source: 'efivar'})
    expect(parseBoot('!firmware efi\n!efivar denied\n!mokutil SecureBoot disabled\n').secureBoot).toEqual({enabled: false, source: 'mokutil'})
    expect(parseBoot('!firmware efi\n!efivar absent\n').secureBoot).toEqual({reason: 'no SecureBoot variable (firmware without Secure Boot)'})
    expect(parseBoot('!firmware efi\n!efivar denied\n').secureBoot!.enabled).toBeUndefined()
    expect(parseBoot('!firmware efi\n!efivar absent\n!mokutil This system doesn\'t support Secure Boot\n').secureBoot).toEqual({source: 'mokutil', reason: "mokutil: This system doesn't support Secure Boot"})
  })

  it('reads TPM devices with their version where the kernel tells it', () => {
    expect(parseBoot('!firmware bios\n!tpm tpm0 2\n!tpm tpm1 \n').tpm).toEqual({present: true, devices: [{name: 'tpm0', version: 2}, {name: 'tpm1'}]})
  })

  it('GRUB: superusers in one file and the password in another count (RHEL user.cfg); an unreadable file leaves it unknown unless found', () => {
    expect(parseBoot('!firmware bios\n!grub /etc/grub.d/01_users 1 0\n!grub /boot/grub2/user.cfg 0 1\n').bootloader.password).toBe(true)
    expect(parseBoot('!firmware bios\n!grub-denied /boot/grub/grub.cfg\n!grub /etc/grub.d/40_custom 1 1\n').bootloader.password).toBe(true)
    expect(parseBoot('!firmware bios\n!grub-denied /boot/grub/grub.cfg\n!grub /etc/grub.d/40_custom 0 0\n').bootloader.password).toBeUndefined()
    expect(parseBoot('!firmware bios\n!grub /boot/grub/grub.cfg 1 0\n').bootloader.password).toBe(false)
  })

  it('hides the values of secret-looking kernel parameters; keeps quoted values whole', () => {
    expect(cmdlineParams('root=/dev/sda1 ro rd.luks.key=/k.bin ip.password=hunter2 foo="a b" quiet\n')).toEqual(['root=/dev/sda1', 'ro', 'rd.luks.key=(hidden)', 'ip.password=(hidden)', 'foo="a b"', 'quiet'])
  })

  it('rejects what is not its output; survives garbage', () => {
    expect(() => parseBoot('SecureBoot enabled\n')).toThrow(ParseError)
    expect(() => parseBoot('!cmdline\nquiet\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseBoot, fixtures.map((f) => stdoutOf(f, 'boot')))
  })
})
