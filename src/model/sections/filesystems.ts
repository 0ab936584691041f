import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {Bool, NonNegInt, Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const MountSchema = Obj({
  /** Mount point. */
  target: Str({minLength: 1}),
  /** Device or source: /dev/sda1, server:/export, tmpfs… */
  source: Str(),
  fstype: Str(),
  /** Mount options, in order (rw, nosuid, relatime, size=…). */
  options: Type.Array(Str()),
  readOnly: Bool(),
  /** Kernel or memory filesystem (proc, sysfs, cgroup, tmpfs, devpts…): no disk behind it. */
  pseudo: Bool(),
  /** Network filesystem (nfs, cifs, sshfs…): its usage is not measured (a dead server would stall the probe). */
  network: Bool(),
  sizeBytes: Opt(NonNegInt()),
  usedBytes: Opt(NonNegInt()),
  availableBytes: Opt(NonNegInt()),
  inodesTotal: Opt(NonNegInt()),
  inodesUsed: Opt(NonNegInt()),
})
export type Mount = Static<typeof MountSchema>

export const FilesystemsSchema = Obj({
  mounts: Type.Array(MountSchema),
  /** The entries of /etc/fstab, in file order, with their line (the mounts the next boot makes). Absent when not read. */
  fstab: Opt(Type.Array(Obj({source: Str(), target: Str(), fstype: Str(), options: Type.Array(Str()), line: NonNegInt()}))),
  /** systemd's tmp.mount, where a unit file is installed and not masked: its Options= after drop-ins and where set. */
  tmpMount: Opt(Obj({file: Str(), line: Opt(NonNegInt()), options: Type.Array(Str())})),
  /** Files of those that could not be read: what they set is unknown. */
  persistedUnreadable: Opt(Type.Array(Str())),
})
export type FilesystemsData = Static<typeof FilesystemsSchema>

export const filesystemsSection = defineSection({
  id: 'filesystems',
  title: 'Filesystems',
  version: 1,
  schema: FilesystemsSchema,
  upgrades: [],
})
