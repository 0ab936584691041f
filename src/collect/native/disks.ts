import {readFileSync, realpathSync} from 'node:fs'

import type {Systeminformation} from 'systeminformation'

import {diskKind, NOT_A_DISK} from '../../../inventory/disks.js'
import {disksSection, type Disk, type DiskKind} from '../../model/sections/disks.js'
import type {NativeCollector} from '../native-collector.js'
import {siPart} from './si-part.js'

const si = siPart('filesystem', ['blockDevices', 'diskLayout'])

function sysfs(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

/** The kernel subsystems behind a block device, as lsblk's SUBSYSTEMS says them ("block:virtio:pci"). */
function subsystems(name: string): string | undefined {
  try {
    const real = realpathSync(`/sys/block/${name}`)
    return ['block', /\/virtio\d+\//.test(real) ? 'virtio' : '', /\/xen\//.test(real) ? 'xen' : ''].filter(Boolean).join(':')
  } catch {
    return undefined
  }
}

function linuxDisk(b: Systeminformation.BlockDevicesData): Disk {
  const d: Disk = {name: b.name, sizeBytes: b.size, kind: 'unknown'}
  const model = b.model.trim().replace(/\s+/g, ' ')
  if (model) d.model = model
  if (b.serial.trim()) d.serial = b.serial.trim()
  const vendor = sysfs(`/sys/block/${b.name}/device/vendor`)
  if (vendor) d.vendor = vendor.replace(/\s+/g, ' ')
  if (b.physical === 'HDD') d.rotational = true
  else if (b.physical === 'SSD') d.rotational = false
  if (b.protocol) d.transport = b.protocol
  d.removable = b.removable
  const subs = subsystems(b.name)
  d.kind = diskKind({...d, type: b.type, ...(subs ? {subsystems: subs} : {})})
  return d
}

const KINDS: Record<string, DiskKind> = {HD: 'hdd', SSD: 'ssd', NVMe: 'nvme', CD: 'optical', USB: 'unknown'}

/**
 * Disks from systeminformation. On Linux blockDevices() (one lsblk call, the fast path; diskLayout() there runs
 * smartctl for every disk); the vendor is read from sysfs as lsblk reads it. Elsewhere diskLayout(). Not collected
 * natively: readOnly, wwn and firmware on Linux (blockDevices does not give them).
 */
export const disksNative: NativeCollector<typeof disksSection> = {
  section: disksSection,
  platforms: ['linux', 'win32', 'darwin'],
  async collect() {
    if (process.platform === 'linux') {
      const devices = await si.blockDevices()
      const disks = devices.filter((b) => (b.type === 'disk' || b.type === 'rom') && !NOT_A_DISK.test(b.name) && Number.isSafeInteger(b.size) && b.size >= 0)
      return {status: 'ok', data: {disks: disks.map(linuxDisk)}}
    }
    const layout = await si.diskLayout()
    const disks: Disk[] = layout
      .filter((l) => Number.isSafeInteger(l.size) && l.size >= 0)
      .map((l, i) => {
        const d: Disk = {name: l.device || l.name || `disk${i}`, sizeBytes: l.size, kind: KINDS[l.type] ?? 'unknown'}
        if (l.name?.trim()) d.model = l.name.trim()
        if (l.serialNum?.trim()) d.serial = l.serialNum.trim()
        if (l.vendor?.trim()) d.vendor = l.vendor.trim()
        if (l.interfaceType?.trim()) d.transport = l.interfaceType.trim().toLowerCase()
        if (l.firmwareRevision?.trim()) d.firmware = l.firmwareRevision.trim()
        if (l.type === 'HD') d.rotational = true
        else if (l.type === 'SSD' || l.type === 'NVMe') d.rotational = false
        return d
      })
    return {status: 'ok', data: {disks}}
  },
}
