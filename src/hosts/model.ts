import type {GroupReference} from '../model/group-reference.js'
import type {InventoryTransportKind} from '../model/transport-kind.js'
import type {Unit} from '../model/unit.js'

/** The resolved inventory: what every importer (hosts.yaml, Ansible INI/YAML) produces and a sweep consumes. */

/** One hop of a ProxyJump chain. `alias` names the inventory host it was resolved from, if any. */
export interface HostHop {
  host: string
  port?: number
  user?: string
  alias?: string
}

/** Where a host was defined (1-based line and column). */
export interface SourcePosition {
  file: string
  line: number
  column: number
}

/** Where a setting was written: a position and the JSON Pointer of the value ('' where there is none, as in INI). */
export interface SettingOrigin extends SourcePosition {
  path: string
}

/** What an inventory warning is about (see InventoryWarning). */
export type InventoryWarningCode =
  /** An identity file the inventory names does not exist (`hosts validate` makes this an error). */
  | 'identity-file-missing'
  /** An ssh option in Ansible's ssh arguments that hatang has no equivalent for. */
  | 'ssh-option-ignored'
  /** An option that would weaken host key checking (StrictHostKeyChecking=no, UserKnownHostsFile=/dev/null). */
  | 'ssh-option-refused'
  /** An option ssh never applies, because an earlier one of the same kind comes first on Ansible's command line. */
  | 'ssh-option-no-effect'
  /** An option hatang has for a whole sweep only (StrictHostKeyChecking=accept-new: --accept-new). */
  | 'ssh-option-per-sweep'
  /** A connection variable written as a Jinja template, which hatang does not evaluate. */
  | 'template-not-evaluated'
  /** A password variable in an inventory, which hatang never reads. */
  | 'password-ignored'

/**
 * Something the inventory says that hatang does not do as written, with where it is written. The same warning
 * (same place, same text) is shared by every host it applies to.
 */
export interface InventoryWarning extends SettingOrigin {
  code: InventoryWarningCode
  message: string
  hint?: string
}

/** An identity file the inventory names explicitly for a host (not ssh's defaults, not ssh_config's). */
export interface ConfiguredIdentityFile {
  /** As ssh reads it (`~` expanded; relative to the working folder otherwise). */
  file: string
  /** Where it was written (hosts.yaml identityFile, ansible_ssh_private_key_file, -i / IdentityFile in ssh args). */
  origin: SettingOrigin
  /** Set when the file did not exist as the inventory was read. */
  missing?: true
}

/** A host with every setting resolved (defaults < outer group < inner group < host). */
export interface HostSpec {
  name: string
  address: string
  port: number
  user?: string
  identityFiles: string[]
  knownHostsFiles: string[]
  proxyJump?: HostHop[]
  sudo: boolean
  transport: InventoryTransportKind
  /** Every group the host belongs to, directly or through children, outermost first. */
  groups: string[]
  tags: string[]
  role?: string
  connectTimeoutS?: number
  commandTimeoutS?: number
  /** The NAME of the environment variable holding the password; never the password. */
  passwordEnv?: string
  /** The unit the host belongs to (hosts.yaml `unit:`, Ansible `hatang_unit`), with its names; absent when none is given. */
  unit?: Unit
  /** What the host's groups declare right for the fleet checks (hosts.yaml `reference:`), recorded in its snapshot. */
  references?: GroupReference[]
  source: SourcePosition
  /**
   * The identity files of `identityFiles` that the inventory set explicitly, with where each was written and
   * whether it exists; absent when they come from ssh_config or ssh's defaults (a missing one of those is silent,
   * as in OpenSSH).
   */
  configuredIdentityFiles?: ConfiguredIdentityFile[]
  /** What the inventory says for this host that hatang does not do as written (absent when nothing). */
  warnings?: InventoryWarning[]
}

export interface GroupMembers {
  /** Hosts defined directly in the group. */
  hosts: string[]
  /** Direct child groups. */
  children: string[]
}

export interface Inventory {
  hosts: HostSpec[]
  groups: Record<string, GroupMembers>
}

export const DEFAULT_SSH_PORT = 22

/** Every host of a group, through its children (each once, in inventory order). */
export function hostsOfGroup(inventory: Inventory, group: string): string[] {
  const names = hostsOfGroups(inventory, [group])
  return inventory.hosts.filter((h) => names.has(h.name)).map((h) => h.name)
}

/** The names of every host of these groups, through their children (one walk, however many groups). */
export function hostsOfGroups(inventory: Pick<Inventory, 'groups'>, groups: Iterable<string>): Set<string> {
  const seen = new Set<string>()
  const names = new Set<string>()
  const walk = (g: string): void => {
    if (seen.has(g)) return
    seen.add(g)
    const members = Object.hasOwn(inventory.groups, g) ? inventory.groups[g] : undefined
    if (!members) return
    for (const h of members.hosts) names.add(h)
    for (const c of members.children) walk(c)
  }
  for (const g of groups) walk(g)
  return names
}
