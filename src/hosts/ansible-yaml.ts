import {ConfigError} from '../config/config-error.js'
import {pointer, type YamlPositions} from '../config/yaml-positions.js'
import type {DraftInventory} from './draft.js'
import {parseHostPattern} from './ansible-range.js'
import {AnsibleTree, memoOrigin} from './ansible-tree.js'

const GROUP_KEYS = new Set(['hosts', 'vars', 'children'])

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Whether parsed YAML looks like an Ansible YAML inventory: top-level groups with hosts/vars/children. */
export function isAnsibleYamlShape(data: unknown): boolean {
  if (!isMap(data)) return false
  const values = Object.values(data)
  return values.length > 0 && values.every((v) => v === null || (isMap(v) && Object.keys(v).every((k) => GROUP_KEYS.has(k))))
}

/** Reads an Ansible YAML inventory (parsed YAML, with the positions of its nodes). */
export function parseAnsibleYaml(positions: YamlPositions, data: unknown, file: string): {draft?: DraftInventory; errors: ConfigError[]} {
  const tree = new AnsibleTree(file)
  const errors: ConfigError[] = []
  const posOf = (segs: string[]) => ({file, ...positions.of(segs, {key: true})})
  /** Where each variable under `segs` is written (its key), found when asked. */
  const varOrigin = (segs: string[]) => memoOrigin((variable) => ({...posOf([...segs, variable]), path: pointer([...segs, variable])}))
  /** varOrigin of a host's variables, its segments made when a position is asked (seldom, for 100,000 hosts). */
  const hostOrigin = (hostsSegs: string[], pattern: string) => memoOrigin((variable) => varOrigin([...hostsSegs, pattern])(variable))
  const fail = (segs: string[], problem: string, hint?: string) => {
    const p = posOf(segs)
    errors.push(new ConfigError(file, p.line, p.column, pointer(segs), problem, hint))
  }
  const walk = (name: string, def: unknown, segs: string[]): void => {
    const pos = posOf(segs)
    tree.group(name, pos)
    if (def === null || def === undefined) return
    if (!isMap(def)) return fail(segs, 'must be a map with hosts, vars and children')
    for (const k of Object.keys(def)) if (!GROUP_KEYS.has(k)) fail([...segs, k], `is not a group key (hosts, vars, children)`)
    if (def.vars !== undefined && def.vars !== null) {
      if (!isMap(def.vars)) fail([...segs, 'vars'], 'must be a map of variables')
      else tree.setGroupVars(name, def.vars, pos, varOrigin([...segs, 'vars']))
    }
    if (def.hosts !== undefined && def.hosts !== null) {
      if (!isMap(def.hosts)) return fail([...segs, 'hosts'], 'must be a map of host names (a list is not accepted by Ansible either)')
      const hostsSegs = [...segs, 'hosts']
      for (const pattern of Object.keys(def.hosts)) {
        const vars = def.hosts[pattern]
        if (vars !== null && !isMap(vars)) {
          fail([...hostsSegs, pattern], 'must be a map of host variables, or nothing')
          continue
        }
        try {
          const {names, port} = parseHostPattern(pattern)
          const at = positions.keyOf(hostsSegs, pattern)
          const hostPos = {file, line: at.line, column: at.column}
          const origin = hostOrigin(hostsSegs, pattern)
          // the host's variables as written (not copied: the tree copies a host's before merging another definition)
          const own = port === undefined ? (vars ?? {}) : {ansible_port: port, ...vars}
          for (const n of names) tree.addHost(name, n, own, hostPos, origin)
        } catch (error) {
          fail([...hostsSegs, pattern], (error as Error).message)
        }
      }
    }
    if (def.children !== undefined && def.children !== null) {
      if (!isMap(def.children)) return fail([...segs, 'children'], 'must be a map of groups')
      for (const [child, cdef] of Object.entries(def.children)) {
        const csegs = [...segs, 'children', child]
        tree.addChild(name, child, posOf(csegs))
        walk(child, cdef, csegs)
      }
    }
  }
  for (const [name, def] of Object.entries(data as Record<string, unknown>)) walk(name, def, [name])
  if (errors.length) return {errors}
  return tree.toDraft()
}
