import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {Arr, Bool, NonNegInt, Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/**
 * The kernel modules checks want disabled: the CIS "filesystem kernel modules" and "uncommon network protocols"
 * lists, less squashfs (snaps) and vfat (EFI system partitions), which a server may need; and usb-storage, judged by
 * a check of its own (module.usb-storage) since backups to USB disks may need it.
 */
export const KERNEL_MODULES = ['cramfs', 'freevxfs', 'hfs', 'hfsplus', 'jffs2', 'udf', 'dccp', 'tipc', 'rds', 'sctp', 'usb-storage'] as const
/** How a module's name is compared: modprobe treats - and _ alike. */
export const moduleName = (name: string): string => name.replaceAll('-', '_')

const Where = {file: Str(), line: NonNegInt()}

export const KernelModulesSchema = Obj({
  /** The kernel loads modules (/proc/modules exists). */
  loadable: Bool(),
  /** Modules loaded now (/proc/modules), as the kernel names them. */
  loaded: Arr(Str()),
  /** Filesystem types the kernel has now (/proc/filesystems): built in, or from a loaded module. */
  filesystems: Arr(Str()),
  /** Socket protocols the kernel has now (/proc/net/protocols: TCP, SCTP, DCCP…). */
  protocols: Arr(Str()),
  /**
   * Per module of KERNEL_MODULES, what the modprobe.d files the next boot reads say of it: the install command
   * modprobe would run instead of loading it (the first one) and the first blacklist line. A module no file names is
   * not here.
   */
  config: Type.Record(Str(), Obj({install: Opt(Obj({command: Str(), ...Where})), blacklist: Opt(Obj(Where))})),
  /** The modprobe.d files read, in the order modprobe reads them. */
  configFiles: Arr(Str()),
  /** Files of those that could not be read: what they say is unknown. */
  configUnreadable: Opt(Arr(Str())),
})
export type KernelModulesData = Static<typeof KernelModulesSchema>

export const kernelModulesSection = defineSection({
  id: 'kernelModules',
  title: 'Kernel modules',
  version: 1,
  schema: KernelModulesSchema,
  upgrades: [],
})
