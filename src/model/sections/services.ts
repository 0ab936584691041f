import {type Static} from '@sinclair/typebox'

import {Arr, Bool, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

const ServiceSchema = Obj({
  /** systemd unit name (ssh.service) or init script name (ssh). */
  name: Str(),
  /**
   * running: active (systemd: ACTIVE active/activating/reloading/deactivating, including oneshots that exited,
   * see subState); stopped; failed; unknown when nothing tells (init scripts that start no daemon).
   */
  state: StringEnum(['running', 'stopped', 'failed', 'unknown'] as const),
  /** Starts at boot; absent = unknown (systemd static/indirect/generated units). */
  enabled: Opt(Bool()),
  /** systemd SUB state: running, exited, dead, failed… */
  subState: Opt(Str()),
  /** systemd unit file state: enabled, disabled, static, masked, indirect… */
  unitFileState: Opt(Str()),
  description: Opt(Str()),
})

export const ServicesSchema = Obj({
  /** What PID 1 is: systemd, sysvinit, openrc, or none (a container entrypoint or another program). */
  manager: StringEnum(['systemd', 'sysvinit', 'openrc', 'none'] as const),
  /** PID 1's command name (/proc/1/comm). */
  pid1: Opt(Str()),
  /** Where the list comes from: systemctl, or the init scripts in /etc/init.d. */
  source: StringEnum(['systemctl', 'init.d', 'none'] as const),
  /**
   * How `state` was decided: by the service manager, or guessed (init scripts: pid files and the process list,
   * matched against the daemons the scripts name; see stateOfScript).
   */
  stateFrom: StringEnum(['manager', 'heuristic'] as const),
  services: Arr(ServiceSchema),
  /** Unique command names (comm) of the running processes, kernel threads left out. */
  processes: Arr(Str()),
})
export type ServicesData = Static<typeof ServicesSchema>
export type Service = Static<typeof ServiceSchema>

export const servicesSection = defineSection({
  id: 'services',
  title: 'Services',
  version: 1,
  schema: ServicesSchema,
  upgrades: [],
})
