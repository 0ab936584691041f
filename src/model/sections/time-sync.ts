import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Num, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const TIME_SYNC_DAEMONS = ['chrony', 'systemd-timesyncd', 'ntpd', 'openntpd'] as const
export type TimeSyncDaemon = (typeof TIME_SYNC_DAEMONS)[number]

const Source = Obj({
  address: Str(),
  /** server, peer or refclock (chrony ^ = # ; ntpq's type column). */
  mode: Opt(Str()),
  /** selected (the one synchronized to), candidate, outlier, unreachable… */
  state: Opt(Str()),
  stratum: Opt(NonNegInt()),
  /** Reachability register, octal as printed (377 = the last 8 polls answered). */
  reach: Opt(Str()),
  /** Clock offset measured against this source, seconds (positive: the local clock is ahead). */
  offsetSeconds: Opt(Num()),
})

export const TimeSyncSchema = Obj({
  /** The daemon keeping time: the one running, else the one installed, else none. */
  daemon: StringEnum([...TIME_SYNC_DAEMONS, 'none'] as const),
  running: Bool(),
  /** Daemons installed (whether running or not). */
  installed: Arr(StringEnum(TIME_SYNC_DAEMONS)),
  synchronized: Opt(Bool()),
  /** Local clock minus the reference, seconds (positive: ahead). */
  offsetSeconds: Opt(Num()),
  stratum: Opt(NonNegInt()),
  referenceId: Opt(Str()),
  leapStatus: Opt(Str()),
  sources: Opt(Arr(Source)),
  /** server/pool/peer lines (and timesyncd NTP=/FallbackNTP=) of the configuration files. */
  configuredServers: Arr(Obj({file: Str(), kind: Str(), address: Str()})),
  /** timedatectl's NTP= (automatic synchronization switched on), systemd hosts only. */
  ntpEnabled: Opt(Bool()),
  systemdPid1: Bool(),
})
export type TimeSyncData = Static<typeof TimeSyncSchema>
export type TimeSource = Static<typeof Source>

export const timeSyncSection = defineSection({
  id: 'timeSync',
  title: 'Time synchronization',
  version: 1,
  schema: TimeSyncSchema,
  upgrades: [],
})
