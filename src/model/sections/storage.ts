import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Num, Obj, Opt, Str} from '../schema-helpers.js'
import type {Section} from '../section.js'
import {defineSection, type SectionUpgrade} from '../section-spec.js'

/** At most this many disks are asked for their SMART data (one `smartctl` each). */
export const SMART_MAX_DISKS = 16

const MdMember = Obj({
  /** Kernel name of the member device (sda1). */
  device: Str(),
  /** Its role number in the array, as mdstat prints it in brackets. */
  role: NonNegInt(),
  /** Marked (F): failed. */
  faulty: Bool(),
  /** Marked (S): spare. */
  spare: Bool(),
})

const MdArray = Obj({
  /** md0, md127… */
  name: Str(),
  /** active or inactive, as /proc/mdstat says. */
  state: Str(),
  /** Marked (auto-read-only) or (read-only). */
  readOnly: Bool(),
  /** raid1, raid5, raid10, linear… (absent on an inactive container). */
  level: Opt(Str()),
  members: Arr(MdMember),
  /** Devices the array should have and has working: [2/1]. Absent where mdstat prints none (raid0, linear, inactive). */
  disks: Opt(NonNegInt()),
  workingDisks: Opt(NonNegInt()),
  /** The per-member map, U up and _ down: [U_]. */
  map: Opt(Str()),
  /** Fewer working members than it should have, a _ in the map, or a member marked faulty. */
  degraded: Bool(),
  /** A resync, recovery, reshape or check under way (or DELAYED/PENDING), with its progress when printed. */
  sync: Opt(Obj({action: Str(), percent: Opt(Num()), state: Opt(Str())})),
})

const LvmVg = Obj({name: Str(), sizeBytes: NonNegInt(), freeBytes: NonNegInt(), pvCount: NonNegInt(), lvCount: NonNegInt()})
const LvmPv = Obj({name: Str(), vg: Str(), sizeBytes: NonNegInt(), freeBytes: NonNegInt()})
const LvmLv = Obj({name: Str(), vg: Str(), sizeBytes: NonNegInt(), /** lv_attr, e.g. -wi-ao---- */ attr: Str()})

const SmartDisk = Obj({
  /** /dev/sda, /dev/nvme0n1. */
  name: Str(),
  /** ATA, SCSI, NVMe (smartctl's device.protocol). */
  protocol: Opt(Str()),
  model: Opt(Str()),
  /** The drive's serial number (smartctl's serial_number): what tells the same disk across runs. Identity, not a secret. */
  serial: Opt(Str()),
  /** Its World Wide Name as smartctl prints it (`5 000c50 0499602d2`), where the drive reports one (ATA, SCSI). */
  wwn: Opt(Str()),
  /** smart_status.passed: the drive's own overall health verdict. Absent when the drive gave none. */
  passed: Opt(Bool()),
  /** ATA attribute 5, raw value. */
  reallocatedSectors: Opt(NonNegInt()),
  /** ATA attribute 197, raw value. */
  pendingSectors: Opt(NonNegInt()),
  /** ATA attribute 198, raw value. */
  offlineUncorrectable: Opt(NonNegInt()),
  /** NVMe health log critical_warning (0 = none). */
  nvmeCriticalWarning: Opt(NonNegInt()),
  /** NVMe health log media_errors. */
  nvmeMediaErrors: Opt(NonNegInt()),
  /** Why smartctl gave no health for this disk (its own message), when it did not. */
  error: Opt(Str()),
})

export const StorageSchema = Obj({
  /** Linux software RAID from /proc/mdstat. `present` false: the md driver is not loaded, so there is no array. */
  md: Obj({present: Bool(), arrays: Arr(MdArray)}),
  /** LVM2 (vgs/pvs/lvs). Lists absent when not installed or when reading them needs root. */
  lvm: Obj({installed: Bool(), needsRoot: Opt(Bool()), vgs: Opt(Arr(LvmVg)), pvs: Opt(Arr(LvmPv)), lvs: Opt(Arr(LvmLv))}),
  /** device-mapper multipath (`multipath -ll`, root only). */
  multipath: Obj({
    installed: Bool(),
    needsRoot: Opt(Bool()),
    maps: Opt(Arr(Obj({name: Str(), paths: NonNegInt(), failedPaths: NonNegInt()}))),
  }),
  /**
   * SMART (`smartctl --json -i -H -A`, root only). `candidates`: whole disks of /sys/block that can carry SMART
   * (not loop, ram, zram, dm, md, optical, nbd, virtio or Xen virtual disks), at most SMART_MAX_DISKS; `disks` their
   * answers, absent when smartctl is not installed or not run for want of root.
   */
  smart: Obj({installed: Bool(), needsRoot: Opt(Bool()), candidates: Arr(Str()), disks: Opt(Arr(SmartDisk))}),
})
export type StorageData = Static<typeof StorageSchema>
export type MdArrayData = Static<typeof MdArray>
export type SmartDiskData = Static<typeof SmartDisk>

/**
 * The identity of a disk across runs: its model and serial number (its WWN too where it has one), or undefined when
 * smartctl gave no serial number (such a disk cannot be told from another one across runs). Pure.
 */
export function diskIdentity(d: Pick<SmartDiskData, 'model' | 'serial' | 'wwn'>): string | undefined {
  if (d.serial === undefined) return undefined
  return JSON.stringify([d.model ?? null, d.serial, d.wwn ?? null])
}

/**
 * Version 1 → 2: SMART disks carry their serial number and WWN (serial, wwn). A version-1 section never read them, so
 * its disks stay without: they cannot be told across runs, and a trend finds no earlier reading of them there.
 */
export const storageUpgradeTo2: SectionUpgrade = {
  to: 2,
  why: 'SMART disks carry their serial number and WWN; a version-1 section never read them, its disks are left without',
  upgrade: (section: Section<unknown>): Section<unknown> => section,
}

export const storageSection = defineSection({
  id: 'storage',
  title: 'Storage health',
  version: 2,
  schema: StorageSchema,
  upgrades: [storageUpgradeTo2],
})
