import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../inventory/kit/parse-error.js'
import {parseLvmReports, parseMultipath} from '../../../inventory/storage-lvm.js'
import {parseMdstat} from '../../../inventory/storage-mdstat.js'
import {parseSmartctlJson, parseSmartOutput} from '../../../inventory/storage-smart.js'
import {storageProbe} from '../../../inventory/storage.js'
import {StorageSchema} from '../../../src/model/sections/storage.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, partOf, probeFixtures} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'
import {published, storageOutputs} from '../../support/published.js'

const fixtures = probeFixtures('storage')
const MDSTAT = published('node-exporter-mdstat')
const FAILING_ATA = published('smartctl-exporter-ST3500418AS_11.json')
const HEALTHY_NVME = published('smartctl-exporter-KXG60ZNV512G_TOSHIBA_2.json')

describe('storage probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(4))

  for (const f of fixtures.filter((x) => !x.platform.startsWith('debian-12-vm-'))) {
    it(`${f.platform}: a valid section; no md driver, no lvm2, multipath nor smartctl here: said so, nothing invented`, () => {
      const r = storageProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(StorageSchema, r.data)).toEqual([])
      expect(r.status).toBe('ok')
      expect(r.data!.md).toEqual({present: false, arrays: []})
      expect(r.data!.lvm).toEqual({installed: false})
      expect(r.data!.multipath).toEqual({installed: false})
      // this machine's only disk is virtio (vda): no SMART candidate
      expect(r.data!.smart).toEqual({installed: false, candidates: []})
      expect(partOf(f, 'storage', 'smart').stdout).toBe('!not-installed\n')
    })
  }

  it('the virtual machine (scripts/capture-vm.sh): lvm2 installed, no group as booted, then one group 95 % and 50 % allocated as vgs printed; smartctl installed, virtio disks no SMART candidates', () => {
    const read = (p: string) => {
      const f = loadFixture(p, 'storage')
      return storageProbe.interpret(f.outputs, contextOf(f))
    }
    const booted = read('debian-12-vm-secureboot')
    const full = read('debian-12-vm-lvm-full')
    const room = read('debian-12-vm-lvm-room')
    for (const r of [booted, full, room]) {
      expect(problemsOf(StorageSchema, r.data)).toEqual([])
      expect(r.status).toBe('ok')
      expect(r.data).toMatchObject({md: {present: false, arrays: []}, multipath: {installed: false}, smart: {installed: true, candidates: []}})
      expect(r.data!.smart.disks ?? []).toEqual([])
    }
    expect(booted.data!.lvm).toEqual({installed: true, vgs: [], pvs: [], lvs: []})
    // a 256 MiB disk: 63 extents of 4 MiB, 59 (95 %) then 31 (50 %) allocated
    const vg = (freeBytes: number) => ({name: 'vmdata', sizeBytes: 264241152, freeBytes, pvCount: 1, lvCount: 1})
    expect(full.data!.lvm).toEqual({installed: true, vgs: [vg(16777216)], pvs: [{name: '/dev/vdb', vg: 'vmdata', sizeBytes: 264241152, freeBytes: 16777216}], lvs: [{name: 'full', vg: 'vmdata', sizeBytes: 247463936, attr: '-wi-a-----'}]})
    expect(room.data!.lvm).toEqual({installed: true, vgs: [vg(134217728)], pvs: [{name: '/dev/vdb', vg: 'vmdata', sizeBytes: 264241152, freeBytes: 134217728}], lvs: [{name: 'half', vg: 'vmdata', sizeBytes: 130023424, attr: '-wi-a-----'}]})
    expect(partOf(loadFixture('debian-12-vm-lvm-full', 'storage'), 'storage', 'lvm').stdout).toContain('  vmdata|264241152|16777216|1|1\n')
  })

  it('the virtual machine\'s NVMe disk (scripts/capture-vm.sh nvme): a SMART candidate; smartctl\'s identity, verdict, critical warning and media errors, before and after the warning bit', () => {
    const read = (p: string) => {
      const f = loadFixture(p, 'storage')
      return storageProbe.interpret(f.outputs, contextOf(f))
    }
    const disk = {name: '/dev/nvme0n1', protocol: 'NVMe', model: 'QEMU NVMe Ctrl', serial: 'HATANG-NVME-0001', nvmeMediaErrors: 0}
    for (const [p, passed, nvmeCriticalWarning] of [['debian-12-vm-nvme', true, 0], ['debian-12-vm-nvme-warning', false, 1]] as const) {
      const r = read(p)
      expect(problemsOf(StorageSchema, r.data), p).toEqual([])
      expect(r.status, p).toBe('ok')
      // the virtio disks are still no candidates; smartmontools is installed in the image
      expect(r.data!.smart, p).toEqual({installed: true, candidates: ['/dev/nvme0n1'], disks: [{...disk, passed, nvmeCriticalWarning}]})
      expect(r.data!.lvm, p).toEqual({installed: true, vgs: [], pvs: [], lvs: []})
    }
    // smartctl's own words for the bit, as it printed them
    expect(partOf(loadFixture('debian-12-vm-nvme-warning', 'storage'), 'storage', 'smart').stdout).toContain('"spare_below_threshold": true')
  })

  it('reads the published mdstat and smartctl captures: degraded arrays, a disk with a reallocated sector, a healthy NVMe', () => {
    const r = storageProbe.interpret(storageOutputs(MDSTAT, {'/dev/sdb': FAILING_ATA, '/dev/nvme2': HEALTHY_NVME}), {uid: 0, privileged: true, os: 'Linux'})
    expect(problemsOf(StorageSchema, r.data)).toEqual([])
    expect(r.status).toBe('ok')
    expect(r.data!.md.arrays.filter((a) => a.degraded).map((a) => a.name)).toEqual(['md6', 'md7'])
    expect(r.data!.smart.disks).toEqual([
      // the serial numbers as that project published them (redacted); the WWN as smartctl prints it
      {name: '/dev/sdb', protocol: 'ATA', model: 'ST3500418AS', serial: 'REDACTED', wwn: '5 000c50 0499602d2', passed: true, reallocatedSectors: 1, pendingSectors: 0, offlineUncorrectable: 0},
      {name: '/dev/nvme2', protocol: 'NVMe', model: 'KXG60ZNV512G TOSHIBA', serial: 'REDACTED', passed: true, nvmeCriticalWarning: 0, nvmeMediaErrors: 0},
    ])
  })
})

describe('/proc/mdstat', () => {
  it('reads every array of the published capture: level, members, counts, map, sync, read-only, spares', () => {
    const arrays = parseMdstat(MDSTAT)
    expect(arrays.map((a) => a.name)).toEqual(['md3', 'md127', 'md0', 'md4', 'md6', 'md8', 'md7', 'md9', 'md10', 'md11', 'md12', 'md219'])
    const md6 = arrays.find((a) => a.name === 'md6')!
    expect(md6).toEqual({
      name: 'md6', state: 'active', readOnly: false, level: 'raid1', degraded: true, disks: 2, workingDisks: 1, map: 'U_',
      members: [{device: 'sdb2', role: 2, faulty: false, spare: false}, {device: 'sda2', role: 0, faulty: false, spare: false}],
      sync: {action: 'recovery', percent: 8.5},
    })
    expect(arrays.find((a) => a.name === 'md7')).toMatchObject({level: 'raid6', disks: 4, workingDisks: 3, map: 'U_UU', degraded: true})
    expect(arrays.find((a) => a.name === 'md8')).toMatchObject({degraded: false, sync: {action: 'resync', percent: 8.5}})
    expect(arrays.find((a) => a.name === 'md9')!.sync).toEqual({action: 'resync', state: 'DELAYED'})
    expect(arrays.find((a) => a.name === 'md11')).toMatchObject({readOnly: true, sync: {action: 'resync', state: 'PENDING'}})
    expect(arrays.find((a) => a.name === 'md10')).toMatchObject({level: 'raid0', degraded: false})
    expect(arrays.find((a) => a.name === 'md10')!.disks).toBeUndefined()
    const md219 = arrays.find((a) => a.name === 'md219')!
    expect(md219).toMatchObject({state: 'inactive', degraded: false})
    expect(md219.level).toBeUndefined()
    expect(md219.members.every((m) => m.spare)).toBe(true)
  })

  it('marks a member marked (F) as degrading its array; rejects what is not mdstat; survives garbage', () => {
    // the header line of an array with a failed member, in mdstat's own form (the kernel's md.c prints "(F)")
    expect(parseMdstat('md1 : active raid1 sdb1[1](F) sda1[0]\n      1000 blocks [2/2] [UU]\n')[0]).toMatchObject({degraded: true, members: [{device: 'sdb1', faulty: true}, {device: 'sda1', faulty: false}]})
    expect(() => parseMdstat('md1 : running raid1 sda1[0]\n')).toThrow(ParseError)
    expect(() => parseMdstat('      1000 blocks [2/2] [UU]\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseMdstat, [MDSTAT])
  })
})

describe('smartctl --json', () => {
  it('keeps the verdict and the failure counters; a disk without a verdict says why, with its messages', () => {
    expect(parseSmartctlJson('/dev/sdb', FAILING_ATA)).toMatchObject({passed: true, reallocatedSectors: 1, pendingSectors: 0})
    // smartctl's answer for a disk it cannot open, in its JSON form (messages with a severity)
    const denied = parseSmartctlJson('/dev/sda', '{"smartctl":{"exit_status":2,"messages":[{"string":"Smartctl open device: /dev/sda failed: Permission denied","severity":"error"}]}}')
    expect(denied).toEqual({name: '/dev/sda', error: 'Smartctl open device: /dev/sda failed: Permission denied'})
    expect(parseSmartctlJson('/dev/sdc', '')).toEqual({name: '/dev/sdc', error: 'smartctl printed nothing'})
  })

  it('reads the command\'s markers: not installed, needs root; rejects stray output; survives garbage', () => {
    expect(parseSmartOutput('!candidate /dev/sda\n!needs-root\n')).toEqual({candidates: ['/dev/sda'], installed: true, needsRoot: true, disks: []})
    expect(parseSmartOutput('!candidate /dev/sda\n!not-installed\n')).toMatchObject({installed: false, disks: []})
    expect(() => parseSmartOutput('{}\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseSmartOutput, [`!candidate /dev/sdb\n!disk /dev/sdb\n${FAILING_ATA}\n`])
  })

  it('a non-root run with SMART disks: the section is partial, smart says needs root, nothing else invented', () => {
    const outputs = storageOutputs(undefined, {}, '!candidate /dev/sda\n!needs-root\n')
    const r = storageProbe.interpret(outputs, {uid: 65534, privileged: false, os: 'Linux'})
    expect(r).toMatchObject({status: 'partial', reason: 'SMART: needs root'})
    expect(r.data!.smart).toEqual({installed: true, needsRoot: true, candidates: ['/dev/sda']})
  })
})

describe('LVM and multipath reports', () => {
  it('reads vgs/pvs/lvs in the separator form the command asks for; rejects other lines', () => {
    const text = '!vgs\n  vg0|107369988096|10733223936|1|2\n!pvs\n  /dev/sda2|vg0|107369988096|10733223936\n!lvs\n  root|vg0|53687091200|-wi-ao----\n'
    expect(parseLvmReports(text)).toEqual({
      vgs: [{name: 'vg0', sizeBytes: 107369988096, freeBytes: 10733223936, pvCount: 1, lvCount: 2}],
      pvs: [{name: '/dev/sda2', vg: 'vg0', sizeBytes: 107369988096, freeBytes: 10733223936}],
      lvs: [{name: 'root', vg: 'vg0', sizeBytes: 53687091200, attr: '-wi-ao----'}],
    })
    expect(() => parseLvmReports('!vgs\nvg0 100 10\n')).toThrow(ParseError)
  })

  it('counts multipath maps and their failed paths', () => {
    const text = 'mpatha (3600a098038303053453f463045727a2f) dm-0 NETAPP,LUN C-Mode\nsize=10G features=\'3 queue_if_no_path\' hwhandler=\'1 alua\' wp=rw\n|-+- policy=\'service-time 0\' prio=50 status=active\n| `- 1:0:0:1 sdb 8:16 active ready running\n`-+- policy=\'service-time 0\' prio=10 status=enabled\n  `- 2:0:0:1 sdc 8:32 failed faulty running\n'
    expect(parseMultipath(text)).toEqual([{name: 'mpatha', paths: 2, failedPaths: 1}])
  })
})
