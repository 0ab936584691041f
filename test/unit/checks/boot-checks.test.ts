import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {bootProbe} from '../../../inventory/boot.js'
import {kernelModulesProbe} from '../../../inventory/kernel-modules.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {withSection} from '../../support/snapshots.js'

/** The boot checks judged on the boot (and kernelModules) sections interpreted from real captures. */
const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
const base = JSON.parse(readFileSync(path.join(FIXTURES, 'fleet', 'web1.json'), 'utf8')) as Snapshot
const IDS = ['boot.secure-boot', 'boot.loader-password', 'module.usb-storage']

function verdicts(platform: string, modulesFrom = 'debian-12-root'): Record<string, string> {
  const f = loadFixture(platform, 'boot')
  const m = loadFixture(modulesFrom, 'kernelModules')
  let s = withSection(base, 'boot', bootProbe.interpret(f.outputs, contextOf(f)))
  s = withSection(s, 'kernelModules', kernelModulesProbe.interpret(m.outputs, contextOf(m)))
  const results = runChecks(s, packs).results
  return Object.fromEntries(IDS.map((id) => [id, results.find((r) => r.check === id)!.status]))
}

describe('boot checks on captured hosts', () => {
  it('GRUB with superusers and a password_pbkdf2: pass; without: fail; unreadable grub.cfg as nobody: unknown, never pass', () => {
    expect(verdicts('debian-12-grub-password')['boot.loader-password']).toBe('pass')
    expect(verdicts('debian-12-grub-open')['boot.loader-password']).toBe('fail')
    expect(verdicts('debian-12-grub-password-user')['boot.loader-password']).toBe('unknown')
  })

  it('no GRUB and no EFI (this machine, the chroots): the boot loader and Secure Boot checks do not apply', () => {
    for (const p of ['debian-12-root', 'debian-12-user', 'debian-11-chroot', 'debian-13-chroot']) {
      expect(verdicts(p), p).toMatchObject({'boot.secure-boot': 'not-applicable', 'boot.loader-password': 'not-applicable'})
    }
  })

  it('the EFI virtual machine (scripts/capture-vm.sh): Secure Boot on with Microsoft\'s keys: pass; EFI with Secure Boot off: fail', () => {
    expect(verdicts('debian-12-vm-secureboot')['boot.secure-boot']).toBe('pass')
    expect(verdicts('debian-12-vm-efi')['boot.secure-boot']).toBe('fail')
    // GRUB installed there without a password (its 40_custom): fail, on both
    expect(verdicts('debian-12-vm-secureboot')['boot.loader-password']).toBe('fail')
    expect(verdicts('debian-12-vm-efi')['boot.loader-password']).toBe('fail')
  })

  it('a Debian kernel that loads modules (the virtual machine): usb-storage loadable as installed: fail; with install /bin/false and blacklist in modprobe.d: pass', () => {
    expect(verdicts('debian-12-vm-secureboot', 'debian-12-vm-secureboot')['module.usb-storage']).toBe('fail')
    expect(verdicts('debian-12-vm-secureboot', 'debian-12-vm-usb-blocked')['module.usb-storage']).toBe('pass')
    const m = loadFixture('debian-12-vm-secureboot', 'kernelModules')
    const s = withSection(base, 'kernelModules', kernelModulesProbe.interpret(m.outputs, contextOf(m)))
    expect(runChecks(s, packs).results.find((r) => r.check === 'module.usb-storage')!.reason).toMatch(/^usb_storage: not loaded now, not disabled at boot/)
  })

  it('a kernel that loads no module (this machine: nomodule, no /proc/modules) cannot load usb-storage: pass', () => {
    for (const p of ['debian-12-root', 'debian-12-user', 'debian-11-chroot', 'debian-13-chroot']) expect(verdicts(p, p)['module.usb-storage'], p).toBe('pass')
  })
})
