/** The resolved inventory: what every importer (hosts.yaml, Ansible INI/YAML) produces and a sweep consumes. */

export type TransportKind = 'ssh' | 'local'

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
  transport: TransportKind
  /** Every group the host belongs to, directly or through children, outermost first. */
  groups: string[]
  tags: string[]
  role?: string
  connectTimeoutS?: number
  commandTimeoutS?: number
  /** The NAME of the environment variable holding the password; never the password. */
  passwordEnv?: string
  source: SourcePosition
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
  const seen = new Set<string>()
  const names = new Set<string>()
  const walk = (g: string): void => {
    if (seen.has(g)) return
    seen.add(g)
    const members = inventory.groups[g]
    if (!members) return
    for (const h of members.hosts) names.add(h)
    for (const c of members.children) walk(c)
  }
  walk(group)
  return inventory.hosts.filter((h) => names.has(h.name)).map((h) => h.name)
}
