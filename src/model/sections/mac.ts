import {type Static} from '@sinclair/typebox'

import {Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const MacSchema = Obj({
  /** The module in force: apparmor, selinux, or none. */
  active: StringEnum(['apparmor', 'selinux', 'none'] as const),
  apparmor: Obj({
    /** The kernel has AppArmor (/sys/module/apparmor). */
    present: Bool(),
    /** /sys/module/apparmor/parameters/enabled says Y. */
    enabled: Bool(),
    /** Profile counts from /sys/kernel/security/apparmor/profiles (root only). */
    profiles: Opt(Obj({total: NonNegInt(), enforce: NonNegInt(), complain: NonNegInt(), kill: NonNegInt(), unconfined: NonNegInt(), other: NonNegInt()})),
  }),
  selinux: Obj({
    /** selinuxfs is mounted: SELinux is enabled in the kernel. */
    enabled: Bool(),
    /** Current mode from /sys/fs/selinux/enforce; disabled when not enabled. */
    mode: StringEnum(['enforcing', 'permissive', 'disabled'] as const),
    /** SELINUX= of /etc/selinux/config (the mode at next boot). */
    configMode: Opt(Str()),
    /** SELINUXTYPE= of /etc/selinux/config. */
    configType: Opt(Str()),
  }),
})
export type MacData = Static<typeof MacSchema>

export const macSection = defineSection({
  id: 'mac',
  title: 'Mandatory access control (AppArmor, SELinux)',
  version: 1,
  schema: MacSchema,
  upgrades: [],
})
