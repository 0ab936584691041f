import {ConfigError} from './config-error.js'
import type {DraftHost, DraftInventory} from './draft.js'
import type {InventoryWarning, SettingOrigin, SourcePosition} from './model.js'
import {AnsibleVarError, settingsFromAnsibleVars} from './ansible-vars.js'

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
    const h = this.hosts.get(name)
    if (h) {
      // the first definition's variables are shared (a range's hosts share one object): copied before merging
      if (h.sources.length === 1) h.vars = {...h.vars}
      Object.assign(h.vars, vars)
      h.sources.push(source)
    } else this.hosts.set(name, {name, vars, sources: [source], pos})
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
    const directOf = new Map<string, string[]>()
    for (const g of this.groups.values())
      for (const h of g.hosts) {
        const list = directOf.get(h)
        if (list) list.push(g.name)
        else directOf.set(h, [g.name])
      }
    const ungrouped = this.groups.get('ungrouped')!
    ungrouped.hosts = ungrouped.hosts.filter((h) => directOf.get(h)!.length === 1)
    ungrouped.hostSet = new Set(ungrouped.hosts)
    for (const [h, list] of directOf) if (list.length > 1 && list.includes('ungrouped')) directOf.set(h, list.filter((g) => g !== 'ungrouped'))

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
    const lineage = new Map<string, {ordered: AGroup[]; vars: Record<string, unknown>; names: string[]}>()
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
      lineage.set(key, (l = {ordered, vars, names: ordered.map((g) => g.name).filter((n) => n !== 'all')}))
      return l
    }

    const hosts: DraftHost[] = []
    for (const h of this.hosts.values()) {
      const {ordered, vars: groupVars, names} = lineageOf(directOf.get(h.name) ?? [])
      // the host's own variables over its groups' (shared through the prototype: no copy of them per host)
      const vars = Object.assign(Object.create(groupVars) as Record<string, unknown>, h.vars)
      /** Where the variable the host ends up with was written: the host's own last definition, else the deepest group. */
      const originOf = (variable: string): SettingOrigin => {
        for (let i = h.sources.length - 1; i >= 0; i--) if (variable in h.sources[i]!.vars) return h.sources[i]!.origin(variable)
        for (let j = ordered.length - 1; j >= 0; j--) {
          const sources = ordered[j]!.sources
          for (let i = sources.length - 1; i >= 0; i--) if (variable in sources[i]!.vars) return sources[i]!.origin(variable)
        }
        return {...h.pos, path: ''}
      }
      try {
        const r = settingsFromAnsibleVars(h.name, vars)
        const origins: DraftHost['origins'] = {}
        for (const k of ['proxyJump', 'identityFiles', 'knownHostsFiles'] as const) {
          const variable = r.from[k]
          if (variable) origins[k] = originOf(variable)
        }
        const draft: DraftHost = {name: h.name, settings: r.settings, origins, groups: names, source: h.pos}
        if (r.identityFrom.length) draft.identityOrigins = r.identityFrom.map(originOf)
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
