import {describe, expect, it} from 'vitest'

import {diskKind, disksProbe, parseLsblkDisks} from '../../../inventory/disks.js'
import {DisksSchema} from '../../../src/model/sections/disks.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('disks')

describe('disks probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: lists every whole disk lsblk printed, with its size`, () => {
      const r = disksProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe('ok')
      expect(problemsOf(DisksSchema, r.data)).toEqual([])
      const raw = stdoutOf(f, 'lsblk')
        .split('\n')
        .filter((l) => /TYPE="disk"/.test(l) && !/^NAME="(zram|loop|ram)/.test(l))
        .map((l) => ({name: /^NAME="([^"]*)"/.exec(l)![1], size: Number(/ SIZE="(\d+)"/.exec(l)![1]), rota: / ROTA="1"/.test(l)}))
      expect(r.data!.disks.map((d) => ({name: d.name, size: d.sizeBytes, rota: d.rotational}))).toEqual(raw)
    })
  }

  it('reads the virtio disk of this VM as virtual, and leaves zram out', () => {
    const f = loadFixture('debian-12-root', 'disks')
    const disks = disksProbe.interpret(f.outputs, contextOf(f)).data!.disks
    expect(stdoutOf(f, 'lsblk')).toMatch(/NAME="zram0"/)
    expect(disks.map((d) => d.name)).not.toContain('zram0')
    expect(disks.find((d) => d.name === 'vda')).toMatchObject({kind: 'virtual', rotational: true})
  })
})

describe('disks parsers', () => {
  it('decodes escaped models and classifies kinds', () => {
    const text = [
      'NAME="sda" TYPE="disk" SIZE="480103981056" ROTA="0" RM="0" RO="0" MODEL="Samsung\\x20SSD\\x20860" SERIAL="S3Z" VENDOR="ATA     " TRAN="sata" WWN="0x5002538e" REV="RVT04B6Q" SUBSYSTEMS="block:scsi:pci"',
      'NAME="sda1" TYPE="part" SIZE="1" ROTA="0" RM="0" RO="0" MODEL="" SERIAL="" VENDOR="" TRAN="" WWN="" REV="" SUBSYSTEMS="block:scsi:pci"',
      'NAME="nvme0n1" TYPE="disk" SIZE="1000204886016" ROTA="0" RM="0" RO="0" MODEL="WDC WDS100T2B0C" SERIAL="2012" VENDOR="" TRAN="nvme" WWN="" REV="" SUBSYSTEMS="block:nvme:pci"',
      'NAME="sdb" TYPE="disk" SIZE="4000787030016" ROTA="1" RM="0" RO="0" MODEL="ST4000NM0035" SERIAL="ZC1" VENDOR="ATA" TRAN="sas" WWN="" REV="" SUBSYSTEMS="block:scsi:pci"',
      'NAME="sr0" TYPE="rom" SIZE="1073741312" ROTA="1" RM="1" RO="0" MODEL="QEMU DVD-ROM" SERIAL="" VENDOR="QEMU" TRAN="ata" WWN="" REV=""',
    ].join('\n')
    const disks = parseLsblkDisks(text)
    expect(disks.map((d) => [d.name, d.kind])).toEqual([
      ['sda', 'ssd'],
      ['nvme0n1', 'nvme'],
      ['sdb', 'hdd'],
      ['sr0', 'optical'],
    ])
    expect(disks[0]).toMatchObject({model: 'Samsung SSD 860', vendor: 'ATA', transport: 'sata', firmware: 'RVT04B6Q'})
  })

  it('sees virtual disks by model when the subsystem does not tell', () => {
    expect(diskKind({name: 'sda', model: 'QEMU HARDDISK', rotational: true})).toBe('virtual')
    expect(diskKind({name: 'sda', model: 'Virtual disk', vendor: 'VMware'})).toBe('virtual')
  })

  it('rejects lines without NAME and TYPE', () => {
    expect(() => parseLsblkDisks('sda 8:0 0 100G 0 disk\n')).toThrow(ParseError)
  })

  const samples = fixtures.map((f) => f.outputs.lsblk?.stdout ?? '')
  it('parseLsblkDisks survives garbage', () => assertParserSurvivesGarbage(parseLsblkDisks, samples))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return disksProbe.interpret(outputs, contextOf(f)).data ?? {disks: []}
      },
      samples,
      DisksSchema,
    ))
})
