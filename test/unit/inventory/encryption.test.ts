import {describe, expect, it} from 'vitest'

import {encryptionProbe, parseEncryption} from '../../../inventory/encryption.js'
import {EncryptionSchema} from '../../../src/model/sections/encryption.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {parsePairs} from '../../../inventory/kit/probe-helpers.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('encryption')

describe('encryption probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section`, () => {
      const r = encryptionProbe.interpret(f.outputs, contextOf(f))
      expect(['ok', 'partial']).toContain(r.status)
      expect(problemsOf(EncryptionSchema, r.data)).toEqual([])
      const text = stdoutOf(f, 'lsblk')
      const rows = text.split('--- swaps')[0]!.split('\n').filter(Boolean).map((l) => parsePairs(l))
      expect(r.data!.mappings.length).toBe(new Set(rows.filter((p) => p.get('TYPE') === 'crypt').map((p) => p.get('NAME'))).size)
      expect(r.data!.luksDevices.length).toBe(new Set(rows.filter((p) => p.get('FSTYPE') === 'crypto_LUKS').map((p) => p.get('NAME'))).size)
      const swaps = text.split('--- swaps\n')[1]!.split('--- crypttab')[0]!.split('\n').filter((l) => l.startsWith('/'))
      expect(r.data!.swap.length).toBe(swaps.length)
      const root = rows.find((p) => p.get('MOUNTPOINT') === '/')
      expect(r.data!.rootDevice).toBe(root?.get('NAME'))
    })
  }

  it('Debian 12: / is on a plain disk, so not encrypted', () => {
    const f = loadFixture('debian-12-root', 'encryption')
    const d = encryptionProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.rootEncrypted).toBe(false)
    expect(d.mappings).toEqual([])
  })

  it('in a chroot / is not a mountpoint lsblk shows: unknown, not "no"', () => {
    const f = loadFixture('debian-11-chroot', 'encryption')
    expect(encryptionProbe.interpret(f.outputs, contextOf(f)).data!.rootEncrypted).toBeUndefined()
  })
})

describe('encryption parsers', () => {
  it('follows LVM on LUKS down to the crypt device, and swap files to their filesystem', () => {
    const text = [
      'NAME="sda" KNAME="sda" TYPE="disk" FSTYPE="" MOUNTPOINT="" PKNAME=""',
      'NAME="sda1" KNAME="sda1" TYPE="part" FSTYPE="vfat" MOUNTPOINT="/boot/efi" PKNAME="sda"',
      'NAME="sda3" KNAME="sda3" TYPE="part" FSTYPE="crypto_LUKS" MOUNTPOINT="" PKNAME="sda"',
      'NAME="sda3_crypt" KNAME="dm-0" TYPE="crypt" FSTYPE="LVM2_member" MOUNTPOINT="" PKNAME="sda3"',
      'NAME="vg-root" KNAME="dm-1" TYPE="lvm" FSTYPE="ext4" MOUNTPOINT="/" PKNAME="dm-0"',
      'NAME="sdb1" KNAME="sdb1" TYPE="part" FSTYPE="ext4" MOUNTPOINT="/srv" PKNAME="sdb"',
      '--- swaps',
      'Filename\tType\tSize\tUsed\tPriority',
      '/swapfile   file   1048572   0   -2',
      '/srv/swap   file   1048572   0   -3',
      '/dev/zram0  partition 4096 0 100',
      '--- crypttab',
      'sda3_crypt UUID=1234',
    ].join('\n')
    const {data} = parseEncryption(text)
    expect(data).toMatchObject({rootDevice: 'vg-root', rootEncrypted: true, swapEncrypted: false, luksDevices: [{name: 'sda3', open: true}], crypttab: [{name: 'sda3_crypt', device: 'UUID=1234'}]})
    expect(data.mappings).toEqual([{name: 'sda3_crypt', backingDevices: ['sda3']}])
    expect(data.swap.map((s) => [s.path, s.encrypted, s.inMemory])).toEqual([
      ['/swapfile', true, false],
      ['/srv/swap', false, false],
      ['/dev/zram0', undefined, true],
    ])
    expect(() => parseEncryption('NAME="sda"\n')).toThrow(ParseError)
  })

  const samples = fixtures.map((f) => f.outputs.lsblk?.stdout ?? '')
  it('parseEncryption survives garbage', () => assertParserSurvivesGarbage(parseEncryption, samples))
  it('the whole probe survives garbage', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        return encryptionProbe.interpret({lsblk: {...f.outputs.lsblk!, stdout: text}}, contextOf(f)).data ?? {mappings: [], luksDevices: [], swap: []}
      },
      samples,
      EncryptionSchema,
    ))
})
