import path from 'node:path'

import type {ConfigError} from '../config/config-error.js'
import {errorAt, type ErrorAt} from '../config/error-at.js'
import type {ParsedYaml} from '../config/read-yaml.js'
import {pointer, type YamlPositions} from '../config/yaml-positions.js'
import {didYouMean} from './did-you-mean.js'
import type {DraftHost, DraftInventory, HostSettings, SettingOrigin} from './draft.js'
import type {GroupDef, HostsFile, Settings} from './hosts-schema.js'
import {shapeProblems} from './hosts-shape.js'
import {hostsOfGroups} from './model.js'
import {overlaySettings} from './overlay-settings.js'
import type {GroupReference} from '../model/group-reference.js'
import {readStandardFile} from './standard-file.js'
import {UnitBook} from './unit-book.js'

type Segs = string[]

/** One place a host is written: `name` in the `hosts:` map at `parent`. */
interface Occurrence {
  name: string
  group: string | null
  settings: Settings
  parent: Segs
  /** `[...parent, name]`, made when asked (100,000 hosts need none of them when all is well). */
  segs?: Segs
}

/** The groups of hosts with the same direct groups, their settings layered, and what their hosts share. */
interface Lineage {
  groups: string[]
  level: Level
  origins?: DraftHost['origins']
  identityOrigins?: SettingOrigin[]
}

/** A `hosts:` map: of a group, or the top-level one. */
interface HostMap {
  group: string | null
  parent: Segs
  hosts: Record<string, Settings | null>
  names: string[]
}
const occurrenceIn = (hm: HostMap, name: string): Occurrence => ({name, group: hm.group, settings: hm.hosts[name] ?? {}, parent: hm.parent})

/** Where a map of settings is written: its segments, or the place of a host. */
type Where = Segs | Occurrence
const segsOf = (w: Where): Segs => (Array.isArray(w) ? w : (w.segs ??= [...w.parent, w.name]))

interface GroupInfo {
  def: GroupDef
  segs: Segs
  order: number
  depth: number
}

/** The result of reading a hosts file: a draft inventory, or every problem found. */
export interface HostsFileResult {
  draft?: DraftInventory
  errors: ConfigError[]
}


/** Checks a hatang hosts file read with readYaml or readPlainYaml (see README "The hosts file"). */
export function checkHostsFile(yaml: ParsedYaml, file: string): HostsFileResult {
  const {positions, data, errors} = yaml
  if (errors.length) return {errors}
  const at = errorAt(file, positions)
  const origin = (segs: readonly string[]): SettingOrigin => ({file, ...positions.of(segs), path: pointer(segs)})
  if (data === null || data === undefined) return {errors: [at([], 'is empty', "add a 'hosts:' map (see 'hatang hosts validate --help')")]}

  const problems = shapeProblems({data, positions}, file)
  if (problems.length) return {errors: problems}
  return resolve(data as HostsFile, at, origin, file, positions)
}

function toHostSettings(s: Settings | null | undefined, units: UnitBook): HostSettings {
  const out: HostSettings = {}
  if (!s) return out
  if (s.address !== undefined) out.address = s.address
  if (s.port !== undefined) out.port = s.port
  if (s.user !== undefined) out.user = s.user
  if (s.identityFile !== undefined) out.identityFiles = typeof s.identityFile === 'string' ? [s.identityFile] : [...s.identityFile]
  if (s.knownHostsFile !== undefined) out.knownHostsFiles = typeof s.knownHostsFile === 'string' ? [s.knownHostsFile] : [...s.knownHostsFile]
  if (s.proxyJump !== undefined) out.proxyJump = s.proxyJump
  if (s.sudo !== undefined) out.sudo = s.sudo
  if (s.transport !== undefined) out.transport = s.transport
  if (s.tags !== undefined) out.tags = [...s.tags]
  if (s.role !== undefined) out.role = s.role
  if (s.connectTimeout !== undefined) out.connectTimeoutS = s.connectTimeout
  if (s.commandTimeout !== undefined) out.commandTimeoutS = s.commandTimeout
  if (s.passwordEnv !== undefined) out.passwordEnv = s.passwordEnv
  if (s.unit !== undefined) {
    const unit = units.unit(s.unit) // an undeclared one is reported where it is written (checkUnit)
    if (unit) out.unit = unit
  }
  return out
}

const SETTING_TO_YAML: Record<keyof HostSettings, string> = {
  address: 'address',
  port: 'port',
  user: 'user',
  identityFiles: 'identityFile',
  knownHostsFiles: 'knownHostsFile',
  proxyJump: 'proxyJump',
  proxyHops: 'proxyJump',
  sudo: 'sudo',
  transport: 'transport',
  tags: 'tags',
  role: 'role',
  connectTimeoutS: 'connectTimeout',
  commandTimeoutS: 'commandTimeout',
  passwordEnv: 'passwordEnv',
  unit: 'unit',
}

/**
 * One level's settings (defaults, a group, one place a host is written), with where each was written: the map it
 * is in, turned into segments and line:column only for the settings a message may need (see `placed`).
 */
interface Level {
  settings: HostSettings
  origins: Partial<Record<keyof HostSettings, Where>>
  /** Where the identityFile setting is written, and whether as a list (each item then has its own place). */
  identity?: {where: Where; list: boolean}
}

function levelOf(raw: Settings | null | undefined, where: Where, units: UnitBook): Level {
  const settings = toHostSettings(raw, units)
  const origins: Level['origins'] = {}
  for (const k in settings) origins[k as keyof HostSettings] = where
  const level: Level = {settings, origins}
  if (raw?.identityFile !== undefined) level.identity = {where, list: typeof raw.identityFile !== 'string'}
  return level
}

/** The segments of each identityFile item: of the setting itself when it is one path. */
function identitySegs(identity: NonNullable<Level['identity']>, count: number): Segs[] {
  const segs = [...segsOf(identity.where), 'identityFile']
  return identity.list ? Array.from({length: count}, (_, i) => [...segs, String(i)]) : [segs]
}

/** The settings whose position a later message or a host's key list needs. */
const PLACED = ['proxyJump', 'identityFiles', 'knownHostsFiles'] as const

/** Layers settings: later layers win, except tags, which accumulate. */
function layer(target: Level, level: Level): void {
  for (const k in level.settings) {
    const key = k as keyof HostSettings
    const v = level.settings[key]
    if (key === 'tags') target.settings.tags = [...new Set([...(target.settings.tags ?? []), ...(v as string[])])]
    else (target.settings as Record<string, unknown>)[key] = v
    target.origins[key] = level.origins[key]!
  }
  if (level.identity) target.identity = level.identity
}


const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function resolve(
  data: HostsFile,
  at: ErrorAt,
  origin: (s: Segs) => SettingOrigin,
  file: string,
  positions: YamlPositions,
): HostsFileResult {
  const errors: ConfigError[] = []
  const units = new UnitBook(data.units)
  for (const [key, first] of units.twice) {
    const at1 = positions.of(['units', first], {key: true})
    errors.push(at(['units', key], `declares unit '${first}' a second time (first at ${file}:${at1.line}:${at1.column}), written in another Unicode form`, 'declare each unit once', true))
  }
  /** A `unit:` naming a unit `units:` does not declare is an error where it is written. */
  const checkUnit = (raw: Settings | null | undefined, segs: () => Segs): void => {
    if (raw?.unit !== undefined && !units.unit(raw.unit)) errors.push(at([...segs(), 'unit'], `names unit '${raw.unit}', which is not declared under 'units:'`, units.hint(raw.unit)))
  }
  checkUnit(data.defaults, () => ['defaults'])
  const groups = new Map<string, GroupInfo>()
  const edges: {parent: string; child: string; segs: Segs}[] = []
  const refs: {child: string; segs: Segs}[] = []
  /** Every `hosts:` map, in file order (a host is an occurrence in one of them: no object per host until needed). */
  const hostMaps: HostMap[] = []

  const addHosts = (hosts: Record<string, Settings | null> | undefined, group: string | null, segs: Segs): void => {
    if (hosts) hostMaps.push({group, parent: [...segs, 'hosts'], hosts, names: Object.keys(hosts)})
  }
  const walk = (name: string, def: GroupDef | null, segs: Segs, parent: string | null): void => {
    if (parent !== null) edges.push({parent, child: name, segs})
    if (def === null && parent !== null) {
      refs.push({child: name, segs}) // `child:` with no value refers to a group defined elsewhere
      return
    }
    const prior = groups.get(name)
    if (prior) {
      const first = positions.of(prior.segs, {key: true})
      errors.push(at(segs, `defines group '${name}' a second time (first at ${file}:${first.line}:${first.column})`, `define it once; elsewhere list it as a child with no value ('${name}:')`, true))
      return
    }
    groups.set(name, {def: def ?? {}, segs, order: groups.size, depth: 0})
    checkUnit(def, () => segs)
    addHosts(def?.hosts, name, segs)
    for (const [child, cdef] of Object.entries(def?.children ?? {})) walk(child, cdef, [...segs, 'children', child], name)
  }
  for (const [name, def] of Object.entries(data.groups ?? {})) walk(name, def, ['groups', name], null)
  addHosts(data.hosts, null, [])
  for (const hm of hostMaps) for (const name of hm.names) checkUnit(hm.hosts[name], () => [...hm.parent, name])

  for (const r of refs)
    if (!groups.has(r.child)) errors.push(at(r.segs, `refers to group '${r.child}', which is not defined`, didYouMean(r.child, groups.keys()) ?? `define it under 'groups:' or give it settings or hosts here`, true))

  // children: no cycles; depth = longest path from a top-level group
  const childrenOf = new Map<string, typeof edges>()
  for (const e of edges) if (groups.has(e.child)) push(childrenOf, e.parent, e)
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (g: string): void => {
    state.set(g, 'open')
    stack.push(g)
    for (const e of childrenOf.get(g) ?? []) {
      if (state.get(e.child) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(e.child)), e.child].join(' → ')
        errors.push(at(e.segs, `makes a cycle of children: ${cycle}`, `a group cannot contain itself; remove one of these links`, true))
      } else if (!state.has(e.child)) visit(e.child)
    }
    stack.pop()
    state.set(g, 'done')
  }
  for (const g of groups.keys()) if (!state.has(g)) visit(g)
  if (errors.length) return {errors}

  const parentsOf = new Map<string, string[]>()
  for (const e of edges) push(parentsOf, e.child, e.parent)
  const depthMemo = new Map<string, number>()
  const depth = (g: string): number => {
    const known = depthMemo.get(g)
    if (known !== undefined) return known
    const d = Math.max(0, ...(parentsOf.get(g) ?? []).map((p) => depth(p) + 1))
    depthMemo.set(g, d)
    return d
  }
  for (const [g, info] of groups) info.depth = depth(g)
  // each group's own settings, read once (not once per host)
  const groupLevels = new Map<string, Level>()
  for (const [g, info] of groups) {
    const {hosts: _h, children: _c, ...own} = info.def
    groupLevels.set(g, levelOf(own, info.segs, units))
  }
  const defaults = levelOf(data.defaults, ['defaults'], units)
  /** Positions of settings, each computed once (hosts of a group share the group's). */
  const placedAt = new WeakMap<object, Record<string, SettingOrigin>>()
  const placed = (where: Where, key: string): SettingOrigin => {
    let known = placedAt.get(where)
    if (!known) placedAt.set(where, (known = {}))
    return (known[key] ??= origin([...segsOf(where), key]))
  }
  const identityPlaced = new WeakMap<object, SettingOrigin[]>()
  const identityOrigins = (identity: NonNullable<Level['identity']>, count: number): SettingOrigin[] => {
    let known = identityPlaced.get(identity)
    if (!known) identityPlaced.set(identity, (known = identitySegs(identity, count).map(origin)))
    return known
  }
  /** Hosts with the same direct groups share their ancestors and the settings layered from them. */
  const lineage = new Map<string, Lineage>()
  const lineageOf = (direct: readonly string[]) => {
    const key = direct.join('\0')
    let l = lineage.get(key)
    if (l) return l
    const out = new Set<string>()
    const up = (g: string): void => {
      if (out.has(g)) return
      out.add(g)
      for (const p of parentsOf.get(g) ?? []) up(p)
    }
    for (const g of direct) up(g)
    // precedence order: outer (shallower) first, then file order: deeper and later win
    const list = [...out].sort((a, b) => groups.get(a)!.depth - groups.get(b)!.depth || groups.get(a)!.order - groups.get(b)!.order)
    const level: Level = {settings: {}, origins: {}}
    layer(level, defaults)
    for (const g of list) layer(level, groupLevels.get(g)!)
    lineage.set(key, (l = {groups: list, level}))
    return l
  }

  // hosts: one entry per name; host-level settings from several places must agree. A host written once (most
  // are) keeps its occurrence only: its settings are read from it at the end.
  const byName = new Map<string, HostMap | {occ: Occurrence[]; own: Level}>()
  for (const hm of hostMaps)
    for (const name of hm.names) {
      const known = byName.get(name)
      if (!known) byName.set(name, hm)
      else checkAgain(name, known, occurrenceIn(hm, name))
    }
  /** A host written in several places: its settings are layered, and must agree. */
  function checkAgain(name: string, known: HostMap | {occ: Occurrence[]; own: Level}, occ: Occurrence): void {
    let entry = known
    if (!('occ' in entry)) {
      const first = occurrenceIn(entry, name)
      byName.set(name, (entry = {occ: [first], own: levelOf(first.settings, first, units)}))
    }
    const own = levelOf(occ.settings, occ, units)
    for (const k in own.settings) {
      const key = k as keyof HostSettings
      const v = own.settings[key]
      const prev = entry.own.settings[key]
      if (prev !== undefined && key !== 'tags' && JSON.stringify(prev) !== JSON.stringify(v)) {
        const first = placed(entry.own.origins[key]!, SETTING_TO_YAML[key])
        const what = key === 'address' ? 'a different address' : `a different ${SETTING_TO_YAML[key]}`
        errors.push(at([...segsOf(occ), SETTING_TO_YAML[key]], `gives host '${occ.name}' ${what} than ${first.file}:${first.line}:${first.column}`, `a host listed in several places is one machine: set ${SETTING_TO_YAML[key]} in one place only`, true))
        continue
      }
    }
    layer(entry.own, own)
    entry.occ.push(occ)
  }
  if (errors.length) return {errors}

  /** The positions of the settings that a message or a host's key list may need (PLACED). */
  const originsOf = (inherited: Level, own: Level | undefined): DraftHost['origins'] => {
    const origins: DraftHost['origins'] = {}
    for (const k of PLACED) {
      const where = own?.origins[k] ?? inherited.origins[k]
      if (where) origins[k] = placed(where, SETTING_TO_YAML[k])
    }
    return origins
  }
  const hosts: DraftHost[] = []
  /** The lineage of the hosts of one group (most hosts are in one group). */
  const lineageOfGroup = new Map<string | null, ReturnType<typeof lineageOf>>()
  for (const [name, entry] of byName) {
    let lineageOfHost: ReturnType<typeof lineageOf>
    let own: Level | undefined
    let raw: Settings | undefined
    if ('occ' in entry) {
      lineageOfHost = lineageOf([...new Set(entry.occ.map((o) => o.group).filter((g): g is string => g !== null))])
      own = entry.own
    } else {
      lineageOfHost = lineageOfGroup.get(entry.group) ?? lineageOfGroup.set(entry.group, lineageOf(entry.group === null ? [] : [entry.group])).get(entry.group)!
      raw = entry.hosts[name] ?? undefined
      // where the host's own settings are written matters only for those a message or its key list may need
      if (raw && (raw.identityFile !== undefined || raw.knownHostsFile !== undefined || raw.proxyJump !== undefined)) own = levelOf(raw, occurrenceIn(entry, name), units)
    }
    const {groups: groupList, level: inherited} = lineageOfHost
    // the host's own settings over those it inherits (as `layer` does, without copying where each was written)
    const settings = overlaySettings(inherited.settings, own ? own.settings : raw ? toHostSettings(raw, units) : {})
    const pos = positions.keyOf('occ' in entry ? entry.occ[0]!.parent : entry.parent, name)
    // hosts that set none of the placed settings themselves share their lineage's positions of them
    const ownPlaced = own !== undefined && PLACED.some((k) => own.origins[k] !== undefined)
    const origins = ownPlaced ? originsOf(inherited, own) : (lineageOfHost.origins ??= originsOf(inherited, undefined))
    const draft: DraftHost = {name, settings, origins, groups: groupList, source: {file, line: pos.line, column: pos.column}}
    const identity = own?.identity ?? inherited.identity
    if (identity) draft.identityOrigins = identity === inherited.identity ? (lineageOfHost.identityOrigins ??= identityOrigins(identity, settings.identityFiles?.length ?? 0)) : identityOrigins(identity, settings.identityFiles?.length ?? 0)
    hosts.push(draft)
  }
  const members = new Map<string, Set<string>>()
  for (const hm of hostMaps) if (hm.group !== null) for (const name of hm.names) (members.get(hm.group) ?? members.set(hm.group, new Set()).get(hm.group)!).add(name)
  const childNames = new Map<string, Set<string>>()
  for (const e of edges) (childNames.get(e.parent) ?? childNames.set(e.parent, new Set()).get(e.parent)!).add(e.child)
  const groupMembers: DraftInventory['groups'] = {}
  for (const [g] of [...groups].sort((a, b) => a[1].order - b[1].order)) groupMembers[g] = {hosts: [...(members.get(g) ?? [])], children: [...(childNames.get(g) ?? [])]}
  const references = groupReferences(groups, groupMembers, at, file)
  if (references.errors.length) return {errors: references.errors}
  if (references.byGroup.size > 0) {
    // hosts of the same groups share one list
    const lists = new Map<readonly string[], GroupReference[]>()
    for (const h of hosts) {
      let list = lists.get(h.groups)
      if (!list) lists.set(h.groups, (list = h.groups.flatMap((g) => references.byGroup.get(g) ?? [])))
      if (list.length > 0) h.references = list
    }
  }
  return {draft: {hosts, groups: groupMembers}, errors: []}
}

/**
 * The groups' `reference:` settings: a host, which must be a host of the group (through its children), or a standard
 * file, read and validated here (relative to the hosts file). Problems at file:line:column, with did-you-mean.
 */
function groupReferences(groups: Map<string, GroupInfo>, members: DraftInventory['groups'], at: ErrorAt, file: string): {byGroup: Map<string, GroupReference>; errors: ConfigError[]} {
  const byGroup = new Map<string, GroupReference>()
  const errors: ConfigError[] = []
  const standards = new Map<string, ReturnType<typeof readStandardFile>>()
  for (const [group, info] of groups) {
    const ref = info.def.reference
    if (ref === undefined) continue
    const segs = [...info.segs, 'reference']
    if (typeof ref === 'string') {
      const hosts = hostsOfGroups({groups: members}, [group])
      if (!hosts.has(ref)) {
        const hint = didYouMean(ref, hosts) ?? (hosts.size > 0 ? `name one of the group's hosts: ${[...hosts].slice(0, 8).join(', ')}${hosts.size > 8 ? ', …' : ''}` : `add hosts to group '${group}' first`)
        errors.push(at(segs, `names host '${ref}', which is not a host of group '${group}'`, hint))
      } else byGroup.set(group, {group, host: ref})
      continue
    }
    const full = path.resolve(path.dirname(file), ref.file)
    let read = standards.get(full)
    if (!read) standards.set(full, (read = readStandardFile(full, ref.file, file)))
    if (read.unreadable) {
      errors.push(at([...segs, 'file'], `names standard file '${ref.file}', which ${read.unreadable === 'ENOENT' ? 'does not exist' : `cannot be read (${read.unreadable})`} (${full})`, 'correct the path: it is relative to the hosts file'))
    } else if (read.errors.length > 0) {
      if (!errors.some((e) => e.file === full)) errors.push(...read.errors)
    } else byGroup.set(group, {group, standard: read.standard!})
  }
  return {byGroup, errors}
}
