import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {NonNegInt, Num, Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const OsSchema = Obj({
  /** Kernel family as `uname -s` says: Linux, Darwin, FreeBSD… */
  family: Str(),
  /** /etc/os-release ID: debian, ubuntu, rhel, rocky… */
  distribution: Opt(Str()),
  /** ID_LIKE, split: ["rhel", "fedora"] */
  like: Opt(Type.Array(Str())),
  name: Opt(Str()),
  prettyName: Opt(Str()),
  version: Opt(Str()),
  versionId: Opt(Str()),
  codename: Opt(Str()),
  /** Debian's own point release from /etc/debian_version, e.g. 12.10. */
  debianVersion: Opt(Str()),
  kernel: Str(),
  kernelVersion: Opt(Str()),
  architecture: Str(),
  bootTime: Opt(Str({format: 'date-time'})),
  uptimeSeconds: Opt(NonNegInt()),
  /** Run-queue load averages over 1, 5 and 15 minutes (/proc/loadavg); compare with cpu.threads. */
  loadAverage: Opt(Obj({one: Num({minimum: 0}), five: Num({minimum: 0}), fifteen: Num({minimum: 0})})),
  /** IANA name (Asia/Ho_Chi_Minh) when the system says it, else the abbreviation. */
  timezone: Opt(Str()),
  /** Offset from UTC as the host reports it, e.g. +0700. */
  utcOffset: Opt(Str()),
})
export type OsData = Static<typeof OsSchema>

export const osSection = defineSection({
  id: 'os',
  title: 'Operating system',
  version: 1,
  schema: OsSchema,
  upgrades: [],
})
