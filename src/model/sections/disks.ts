import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const DISK_KINDS = ['hdd', 'ssd', 'nvme', 'virtual', 'optical', 'mmc', 'unknown'] as const
export type DiskKind = (typeof DISK_KINDS)[number]

export const DiskSchema = Obj({
  /** Kernel name: sda, nvme0n1, vda… */
  name: Str({minLength: 1}),
  model: Opt(Str()),
  serial: Opt(Str()),
  vendor: Opt(Str()),
  sizeBytes: NonNegInt(),
  rotational: Opt(Bool()),
  kind: StringEnum(DISK_KINDS),
  /** sata, sas, nvme, usb, spi, fc, iscsi… as lsblk's TRAN says. */
  transport: Opt(Str()),
  removable: Opt(Bool()),
  readOnly: Opt(Bool()),
  wwn: Opt(Str()),
  firmware: Opt(Str()),
})
export type Disk = Static<typeof DiskSchema>

export const DisksSchema = Obj({
  disks: Type.Array(DiskSchema),
})
export type DisksData = Static<typeof DisksSchema>

export const disksSection = defineSection({
  id: 'disks',
  title: 'Disks',
  version: 1,
  schema: DisksSchema,
  upgrades: [],
})
