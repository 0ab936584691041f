import type {GroupReference} from '../model/group-reference.js'
import type {InventoryTransportKind} from '../model/transport-kind.js'
import type {Unit} from '../model/unit.js'
import type {HostHop, InventoryWarning, SettingOrigin, SourcePosition} from './model.js'

export type {SettingOrigin} from './model.js'

/**
 * The settings an inventory source states explicitly for one host, before ssh_config and built-in
 * defaults fill the gaps. Every importer (hosts.yaml, Ansible INI and YAML) produces these.
 */
export interface HostSettings {
  address?: string
  port?: number
  user?: string
  identityFiles?: string[]
  knownHostsFiles?: string[]
  /** As written (OpenSSH syntax or an alias), resolved when the inventory is finalised. */
  proxyJump?: string
  /** Already resolved hops (an importer that parsed them itself). */
  proxyHops?: HostHop[]
  sudo?: boolean
  transport?: InventoryTransportKind
  tags?: string[]
  role?: string
  connectTimeoutS?: number
  commandTimeoutS?: number
  passwordEnv?: string
  /** The unit the host belongs to, with its names (one object per unit, shared by its hosts). */
  unit?: Unit
}

export interface DraftHost {
  name: string
  settings: HostSettings
  /** Where each winning setting was written, for errors found later (unknown proxyJump alias…). */
  origins: Partial<Record<keyof HostSettings, SettingOrigin>>
  /** Where each of `settings.identityFiles` was written (same order), when the importer knows. */
  identityOrigins?: SettingOrigin[]
  /** What the importer could not honour as written for this host. */
  warnings?: InventoryWarning[]
  groups: string[]
  /** What the host's groups declare right (hosts.yaml `reference:`); hosts of the same groups share the list. */
  references?: GroupReference[]
  source: SourcePosition
}

export interface DraftInventory {
  hosts: DraftHost[]
  groups: Record<string, {hosts: string[]; children: string[]}>
}
