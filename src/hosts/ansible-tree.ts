import {ConfigError} from '../config/config-error.js'
import type {DraftHost, DraftInventory, HostSettings} from './draft.js'
import type {InventoryWarning, SettingOrigin, SourcePosition} from './model.js'
import {settleUnitVars, UNIT_VARS} from './ansible-unit.js'
import {AnsibleVarError, settingsFromAnsibleVars, type AnsibleSettings} from './ansible-vars.js'
import {overlaySettings} from './overlay-settings.js'

/** Where each variable of one definition was written; asked only for the few a message or an identity file needs. */
export type VarOrigin = (variable: string) => SettingOrigin

/** Variables as one place of the file defines them, and where. */
interface VarSource {
  vars: Record<string, unknown>
  origin: VarOrigin
}

interface AGroup {
  name: string
  /** All its variables merged, later definitions winning. */
  vars: Record<string, unknown>
  sources: VarSource[]
  hosts: string[]
  hostSet: Set<string>
  children: string[]
  parents: string[]
  pos: SourcePosition
}

interface AHost {
  name: string
  vars: Record<string, unknown>
  sources: VarSource[]
  pos: SourcePosition
  /** The groups it is directly in (but `all`), in the order it was added to them; one object per list. */
  direct: DirectGroups
}

/** A list of groups, one object per list (hosts of the same groups share it, and what is computed of it). */
interface DirectGroups {
  names: string[]
  /** This list with one more group, each made once. */
  next: Map<string, DirectGroups>
}

/** `list` with `group` added (itself when it has it). */
function withGroup(list: DirectGroups, group: string): DirectGroups {
  if (list.names.includes(group)) return list
  let l = list.next.get(group)
  if (!l) list.next.set(group, (l = {names: [...list.names, group], next: new Map()}))
  return l
}

/** Every variable at one position (an INI line): one object, however many hosts ask. */
function atPosition(pos: SourcePosition): VarOrigin {
  const origin = {...pos, path: ''}
  return () => origin
}

/** Remembers each variable's position once asked (a group's variable is asked for by each of its hosts). */
export function memoOrigin(origin: VarOrigin): VarOrigin {
  let known: Map<string, SettingOrigin> | undefined
  return (variable) => {
    known ??= new Map()
    let o = known.get(variable)
    if (!o) known.set(variable, (o = origin(variable)))
    return o
  }
}

/**
 * An Ansible inventory as Ansible builds it (groups, children, group and host variables), resolved the
 * way Ansible merges variables: `all` < parent groups < child groups (same depth: by
 * ansible_group_priority, then name) < host variables; a host defined twice merges its variables.
 * Linear in the number of hosts: hosts with the same direct groups share their group variables.
 */
export class AnsibleTree {
  private readonly groups = new Map<string, AGroup>()
  private readonly hosts = new Map<string, AHost>()
  private readonly noGroup: DirectGroups = {names: [], next: new Map()}
  readonly errors: ConfigError[] = []

  constructor(private readonly file: string) {
    this.group('all', {file, line: 1, column: 1})
    this.group('ungrouped', {file, line: 1, column: 1})
  }

  group(name: string, pos: SourcePosition): AGroup {
    let g = this.groups.get(name)
    if (!g) this.groups.set(name, (g = {name, vars: {}, sources: [], hosts: [], hostSet: new Set(), children: [], parents: [], pos}))
    return g
  }

  /** A host in a group, with the variables written where it is, and where each is written. */
  addHost(group: string, name: string, vars: Record<string, unknown>, pos: SourcePosition, origin?: VarOrigin): void {
    const g = this.group(group, pos)
    if (!g.hostSet.has(name)) {
      g.hostSet.add(name)
      g.hosts.push(name)
    }
    const source: VarSource = {vars, origin: origin ?? atPosition(pos)}
    let h = this.hosts.get(name)
    if (h) {
      // the first definition's variables are shared (a range's hosts share one object): copied before merging
      if (h.sources.length === 1) h.vars = {...h.vars}
      Object.assign(h.vars, vars)
      h.sources.push(source)
    } else this.hosts.set(name, (h = {name, vars, sources: [source], pos, direct: this.noGroup}))
    if (group !== 'all') h.direct = withGroup(h.direct, group)
  }

  setGroupVars(group: string, vars: Record<string, unknown>, pos: SourcePosition, origin?: VarOrigin): void {
    const g = this.group(group, pos)
    Object.assign(g.vars, vars)
    g.sources.push({vars, origin: origin ? memoOrigin(origin) : atPosition(pos)})
  }

  addChild(parent: string, child: string, pos: SourcePosition): void {
    const p = this.group(parent, pos)
    const c = this.group(child, pos)
    if (parent === child || this.isAncestor(child, parent)) {
      this.errors.push(new ConfigError(pos.file, pos.line, pos.column, '', `makes group '${child}' a child of '${parent}', which is already inside it: a cycle`, 'remove one of these links'))
      return
    }
    if (!p.children.includes(child)) p.children.push(child)
    if (!c.parents.includes(parent)) c.parents.push(parent)
  }

  private isAncestor(a: string, of: string): boolean {
    const seen = new Set<string>()
    const up = (g: string): boolean => {
      if (seen.has(g)) return false
      seen.add(g)
      return (this.groups.get(g)?.parents ?? []).some((p) => p === a || up(p))
    }
    return up(of)
  }

  toDraft(): {draft?: DraftInventory; errors: ConfigError[]} {
    if (this.errors.length) return {errors: this.errors}
    const all = this.groups.get('all')!
    // as Ansible's reconcile: top groups are children of all; hosts only in `all` are ungrouped
    for (const g of this.groups.values()) if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name, g.pos)
    for (const h of all.hosts) this.addHost('ungrouped', h, {}, this.hosts.get(h)!.pos)
    all.hosts.length = 0
    all.hostSet.clear()
    const ungrouped = this.groups.get('ungrouped')!
    ungrouped.hosts = ungrouped.hosts.filter((h) => this.hosts.get(h)!.direct.names.length === 1)
    ungrouped.hostSet = new Set(ungrouped.hosts)
    /** A list without `ungrouped`: a host in a group of its own is not ungrouped. */
    const grouped = new Map<DirectGroups, DirectGroups>()
    for (const h of this.hosts.values()) {
      const d = h.direct
      if (d.names.length <= 1 || !d.names.includes('ungrouped')) continue
      let g = grouped.get(d)
      if (!g) grouped.set(d, (g = d.names.filter((n) => n !== 'ungrouped').reduce(withGroup, this.noGroup)))
      h.direct = g
    }

    // a unit's path and names are written together at each place (ansible-unit.ts)
    const settle = (what: string, vars: Record<string, unknown>, sources: readonly VarSource[], fallback: SourcePosition): void => {
      const problem = settleUnitVars(vars)
      if (!problem) return
      const source = sources.findLast((src) => problem.variable in src.vars)
      const o = source ? source.origin(problem.variable) : {...fallback, path: ''}
      this.errors.push(new ConfigError(o.file, o.line, o.column, o.path, `${what}: ${problem.message}`, `write ${Object.values(UNIT_VARS).join(', ')} together`))
    }
    for (const g of this.groups.values()) settle(`group '${g.name}'`, g.vars, g.sources, g.pos)
    for (const h of this.hosts.values()) settle(`host '${h.name}'`, h.vars, h.sources, h.pos)
    if (this.errors.length) return {errors: this.errors}

    const depthMemo = new Map<string, number>()
    const depth = (g: string): number => {
      if (g === 'all') return 0
      const known = depthMemo.get(g)
      if (known !== undefined) return known
      const d = Math.max(0, ...this.groups.get(g)!.parents.map((p) => depth(p) + 1))
      depthMemo.set(g, d)
      return d
    }
    const priority = (g: AGroup) => Number(g.vars.ansible_group_priority ?? 1) || 1
    /** Groups of hosts with the same direct groups, in precedence order, with their merged variables. */
    const lineage = new Map<
      string,
      {key: string; ordered: AGroup[]; vars: Record<string, unknown>; names: string[]; origins: Map<string, SettingOrigin>; placed: Map<object, {origins: DraftHost['origins']; identityOrigins: SettingOrigin[] | undefined}>}
    >()
    const lineageOf = (direct: readonly string[]) => {
      const key = direct.join('\0')
      let l = lineage.get(key)
      if (l) return l
      const anc = new Set<string>()
      const up = (g: string): void => {
        if (anc.has(g)) return
        anc.add(g)
        for (const p of this.groups.get(g)!.parents) up(p)
      }
      for (const g of direct) up(g)
      anc.add('all')
      const ordered = [...anc]
        .map((n) => this.groups.get(n)!)
        .sort((a, b) => depth(a.name) - depth(b.name) || priority(a) - priority(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      const vars: Record<string, unknown> = {}
      for (const g of ordered) Object.assign(vars, g.vars)
      lineage.set(key, (l = {key: varsKey(vars, key), ordered, vars, names: ordered.map((g) => g.name).filter((n) => n !== 'all'), origins: new Map(), placed: new Map()}))
      return l
    }

    const hosts: DraftHost[] = []
    const shared = new SharedSettings()
    for (const h of this.hosts.values()) {
      const l = lineageOf(h.direct.names)
      const {ordered, vars: groupVars, names} = l
      // the host's own variables over its groups' (shared through the prototype: no copy of them per host), made
      // only for a host whose settings are not shared with others
      const vars = () => Object.assign(Object.create(groupVars) as Record<string, unknown>, h.vars)
      /** Where the variable the host ends up with was written: the host's own last definition, else the deepest group. */
      const originOf = (variable: string): SettingOrigin => {
        for (let i = h.sources.length - 1; i >= 0; i--) if (variable in h.sources[i]!.vars) return h.sources[i]!.origin(variable)
        let o = l.origins.get(variable)
        if (o) return o
        for (let j = ordered.length - 1; j >= 0 && !o; j--) {
          const sources = ordered[j]!.sources
          for (let i = sources.length - 1; i >= 0 && !o; i--) if (variable in sources[i]!.vars) o = sources[i]!.origin(variable)
        }
        if (!o) return {...h.pos, path: ''}
        l.origins.set(variable, o)
        return o
      }
      try {
        const r = shared.settings(l.key, h.name, h.vars, vars)
        // where the placed settings are written: the same for the hosts of a lineage that write none of them
        const own = (variable: string | undefined) => variable !== undefined && h.sources.some((src) => variable in src.vars)
        const ownPlaced = PLACED.some((k) => own(r.from[k])) || r.identityFrom.some(own)
        let placed = ownPlaced ? undefined : l.placed.get(r.from)
        if (!placed) {
          const origins: DraftHost['origins'] = {}
          for (const k of PLACED) {
            const variable = r.from[k]
            if (variable) origins[k] = originOf(variable)
          }
          placed = {origins, identityOrigins: r.identityFrom.length ? r.identityFrom.map(originOf) : undefined}
          if (!ownPlaced) l.placed.set(r.from, placed)
        }
        const draft: DraftHost = {name: h.name, settings: r.settings, origins: placed.origins, groups: names, source: h.pos}
        if (placed.identityOrigins) draft.identityOrigins = placed.identityOrigins
        if (r.notes.length) draft.warnings = r.notes.map((n): InventoryWarning => ({...originOf(n.variable), code: n.code, message: n.message, ...(n.hint ? {hint: n.hint} : {})}))
        hosts.push(draft)
      } catch (error) {
        if (!(error instanceof AnsibleVarError)) throw error
        const o = originOf(error.variable)
        this.errors.push(new ConfigError(o.file, o.line, o.column, o.path, `host '${h.name}': ${error.message}`, 'fix the variable, or leave the host out'))
      }
    }
    if (this.errors.length) return {errors: dedupeByPlace(this.errors)}
    const groups: DraftInventory['groups'] = {}
    for (const g of this.groups.values()) {
      if (g.name === 'all' || (g.name === 'ungrouped' && g.hosts.length === 0)) continue
      groups[g.name] = {hosts: [...g.hosts], children: [...g.children]}
    }
    return {draft: {hosts, groups}, errors: []}
  }
}

/** The settings whose position a later message or a host's key list needs. */
const PLACED = ['proxyJump', 'identityFiles', 'knownHostsFiles'] as const

/** A group variable every host inherits is one mistake: reported once, with the first host. */
function dedupeByPlace(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>()
  return errors.filter((e) => {
    const key = `${e.file}:${e.line}:${e.column} ${e.problem.replace(/^host '[^']*': /, '')}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** What settingsFromAnsibleVars reads of a lineage's variables, as a key (lineages with the same variables share it). */
export function varsKey(vars: Record<string, unknown>, lineage: string): string {
  try {
    return `v${JSON.stringify(vars)}`
  } catch {
    return `l${lineage}`
  }
}

/** The variables whose value is a host's own in a big inventory (its address, its user), where the rest is shared. */
const STAND_IN_VARS = ['ansible_host', 'ansible_ssh_host', 'ansible_user', 'ansible_ssh_user'] as const
type StandInVar = (typeof STAND_IN_VARS)[number]
/** Stand-ins for their values, and for the host's name, in settings computed once for many hosts. */
const STAND_IN: Record<StandInVar, string> = Object.fromEntries(STAND_IN_VARS.map((v) => [v, `\u0000${v}\u0000`])) as Record<StandInVar, string>
const NAME_STAND_IN = '\u0000name\u0000'
const isStandInVar = (k: string): k is StandInVar => (STAND_IN_VARS as readonly string[]).includes(k)

/**
 * settingsFromAnsibleVars, computed once for hosts whose variables differ only in their address and user
 * (ansible_host on each line of a big inventory, the rest from their groups): with stand-ins for those values and
 * for the name, then each host's own values put in. Used only where the stand-ins end up in the address and the
 * user alone; anything else (a value of the host's own that is not plain, a template, an error) is computed per
 * host, as before.
 */
export class SharedSettings {
  private readonly known = new Map<string, AnsibleSettings | null>()

  /** `vars`: the host's variables over its lineage's (`varsKey`), `own` the host's own. */
  settings(varsKey: string, name: string, own: Record<string, unknown>, vars: () => Record<string, unknown>): AnsibleSettings {
    const key = shareKey(varsKey, own)
    if (key === undefined) return settingsFromAnsibleVars(name, vars())
    let r = this.known.get(key)
    if (r === undefined) this.known.set(key, (r = standInSettings(own, vars())))
    if (r === null) return settingsFromAnsibleVars(name, vars())
    const {address, user} = r.settings
    const put = (v: string | undefined) => {
      if (v === undefined || !v.includes('\u0000')) return undefined
      for (const k of STAND_IN_VARS) {
        const value = own[k]
        if (typeof value === 'string') v = v.replaceAll(STAND_IN[k], () => value)
      }
      return v
    }
    const realAddress = put(address)
    const realUser = put(user)
    if (realAddress === undefined && realUser === undefined) return r
    const over: HostSettings = {}
    if (realAddress !== undefined) over.address = realAddress
    if (realUser !== undefined) over.user = realUser
    return {settings: overlaySettings(r.settings, over), from: r.from, identityFrom: r.identityFrom, notes: r.notes}
  }
}

/** What makes the settings of a host shareable with others: its lineage's variables and its own but the stand-ins. */
function shareKey(varsKey: string, own: Record<string, unknown>): string | undefined {
  let key = varsKey
  for (const k of Object.keys(own)) {
    const v = own[k]
    if (typeof v === 'string' && v.includes('\u0000')) return undefined
    if (isStandInVar(k)) {
      // a value read as it is, whatever it is (an empty one or a template is not: it is told apart)
      if (typeof v !== 'string' || v === '' || v.includes('{{')) return undefined
      key += `\u0001${k}`
    } else if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') key += `\u0001${k}\u0002${typeof v}\u0002${String(v)}`
    else return undefined
  }
  return key
}

/** The settings with stand-ins, or null when they show anywhere but in the address and the user (or it throws). */
function standInSettings(own: Record<string, unknown>, vars: Record<string, unknown>): AnsibleSettings | null {
  const standIns: Record<string, unknown> = {}
  for (const v of STAND_IN_VARS) if (v in own) standIns[v] = STAND_IN[v]
  let r: AnsibleSettings
  try {
    r = settingsFromAnsibleVars(NAME_STAND_IN, Object.assign(Object.create(vars) as Record<string, unknown>, standIns))
  } catch {
    return null
  }
  const rest = JSON.stringify({...r, settings: {...r.settings, address: undefined, user: undefined}})
  const named = (v: string | undefined) => v?.includes(NAME_STAND_IN) === true
  return rest.includes('\\u0000') || named(r.settings.address) || named(r.settings.user) ? null : r
}
