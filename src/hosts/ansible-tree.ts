import {ConfigError} from './config-error.js'
import type {DraftHost, DraftInventory} from './draft.js'
import type {SourcePosition} from './model.js'
import {settingsFromAnsibleVars} from './ansible-vars.js'

interface AGroup {
  name: string
  vars: Record<string, unknown>
  hosts: string[]
  children: string[]
  parents: string[]
  pos: SourcePosition
}

interface AHost {
  name: string
  vars: Record<string, unknown>
  pos: SourcePosition
}

/**
 * An Ansible inventory as Ansible builds it (groups, children, group and host variables), resolved the
 * way Ansible merges variables: `all` < parent groups < child groups (same depth: by
 * ansible_group_priority, then name) < host variables; a host defined twice merges its variables.
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
    if (!g) this.groups.set(name, (g = {name, vars: {}, hosts: [], children: [], parents: [], pos}))
    return g
  }

  addHost(group: string, name: string, vars: Record<string, unknown>, pos: SourcePosition): void {
    const g = this.group(group, pos)
    if (!g.hosts.includes(name)) g.hosts.push(name)
    const h = this.hosts.get(name)
    if (h) Object.assign(h.vars, vars)
    else this.hosts.set(name, {name, vars: {...vars}, pos})
  }

  setGroupVars(group: string, vars: Record<string, unknown>, pos: SourcePosition): void {
    Object.assign(this.group(group, pos).vars, vars)
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
    const ungrouped = this.groups.get('ungrouped')!
    const direct = (host: string) => [...this.groups.values()].filter((g) => g.hosts.includes(host)).map((g) => g.name)
    ungrouped.hosts = ungrouped.hosts.filter((h) => direct(h).length === 1)

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

    const hosts: DraftHost[] = []
    for (const h of this.hosts.values()) {
      const anc = new Set<string>()
      const up = (g: string): void => {
        if (anc.has(g)) return
        anc.add(g)
        for (const p of this.groups.get(g)!.parents) up(p)
      }
      for (const g of direct(h.name)) up(g)
      anc.add('all')
      const ordered = [...anc]
        .map((n) => this.groups.get(n)!)
        .sort((a, b) => depth(a.name) - depth(b.name) || priority(a) - priority(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      const vars: Record<string, unknown> = {}
      for (const g of ordered) Object.assign(vars, g.vars)
      Object.assign(vars, h.vars)
      try {
        const settings = settingsFromAnsibleVars(vars)
        hosts.push({name: h.name, settings, origins: {}, groups: ordered.map((g) => g.name).filter((n) => n !== 'all'), source: h.pos})
      } catch (error) {
        this.errors.push(new ConfigError(h.pos.file, h.pos.line, h.pos.column, '', `host '${h.name}': ${(error as Error).message}`, 'fix the variable, or leave the host out'))
      }
    }
    if (this.errors.length) return {errors: this.errors}
    const groups: DraftInventory['groups'] = {}
    for (const g of this.groups.values()) {
      if (g.name === 'all' || (g.name === 'ungrouped' && g.hosts.length === 0)) continue
      groups[g.name] = {hosts: [...g.hosts], children: [...g.children]}
    }
    return {draft: {hosts, groups}, errors: []}
  }
}
