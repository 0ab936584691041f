import {isScalar, LineCounter, parseDocument, visit, type Document} from 'yaml'

import {compile} from '../model/validate.js'
import {ConfigError} from './config-error.js'
import {closest, didYouMean} from './did-you-mean.js'
import type {DraftHost, DraftInventory, HostSettings, SettingOrigin} from './draft.js'
import {HOSTS_FILE_VALIDATOR, HostsFileSchema, SETTING_KEYS, type GroupDef, type HostsFile, type Settings} from './hosts-schema.js'
import {pointer, pointerSegments, positionOf} from './yaml-positions.js'

/** Keys people write from habit (ssh_config, Ansible): we suggest ours. */
const FAMILIAR: Record<string, string> = {
  hostname: 'address',
  host: 'address',
  ansible_host: 'address',
  ip: 'address',
  ansible_port: 'port',
  ansible_user: 'user',
  username: 'user',
  identity_file: 'identityFile',
  identityfiles: 'identityFile',
  key: 'identityFile',
  ansible_ssh_private_key_file: 'identityFile',
  userknownhostsfile: 'knownHostsFile',
  known_hosts: 'knownHostsFile',
  proxy_jump: 'proxyJump',
  become: 'sudo',
  ansible_become: 'sudo',
  connection: 'transport',
  ansible_connection: 'transport',
  vars: "settings directly on the group (no 'vars:')",
}

/** A key that would carry a secret. Only `passwordEnv` (a variable NAME) is allowed. */
const SECRET_KEY = /pass(word|phrase|wd)?$|^pass|secret|token|credential|private_?key$/i

const TOP_KEYS = ['defaults', 'groups', 'hosts']
const GROUP_KEYS = [...SETTING_KEYS, 'hosts', 'children']

type Segs = string[]

interface Occurrence {
  name: string
  group: string | null
  settings: Settings
  segs: Segs
}

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

/**
 * Whether parsed YAML is meant as a hatang hosts file: a top-level `defaults`, `groups` or `hosts` key, or
 * (without Ansible's usual `all:` root) a key that is a likely typo of one.
 */
export function isHostsFileShape(data: unknown): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false
  const keys = Object.keys(data)
  return keys.some((k) => TOP_KEYS.includes(k)) || (!keys.includes('all') && keys.some((k) => closest(k, TOP_KEYS) !== undefined))
}

/**
 * Reads a YAML document with positions; YAML syntax errors become ConfigErrors. Keys must be unique in each map:
 * checked here with one set per map (the yaml library's own check compares each key with all before it, which
 * takes minutes on a map of 100,000 hosts).
 */
export function readYaml(text: string, file: string): {doc: Document; counter: LineCounter; data: unknown; errors: ConfigError[]} {
  const counter = new LineCounter()
  const doc = parseDocument(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: false})
  const syntax = (offset: number, message: string) => {
    const {line, col} = counter.linePos(offset)
    return new ConfigError(file, line, col, '', `is not valid YAML: ${message}`, 'fix the syntax at this position')
  }
  const errors = [...doc.errors.map((e) => syntax(e.pos[0], e.message.split('\n')[0]!)), ...duplicateKeys(doc).map((offset) => syntax(offset, 'Map keys must be unique'))].sort(
    (a, b) => a.line - b.line || a.column - b.column,
  )
  let data: unknown
  if (errors.length === 0) {
    try {
      data = doc.toJS({maxAliasCount: 1000})
    } catch (error) {
      // an alias without its anchor, or an alias bomb: only found when the document is built
      errors.push(new ConfigError(file, 1, 1, '', `is not valid YAML: ${(error as Error).message.split('\n')[0]}`, 'define each &anchor before its *alias'))
    }
  }
  return {doc, counter, data, errors}
}

/** Where a key repeats one before it in the same map (equal scalar values, as the yaml library compares them). */
function duplicateKeys(doc: Document): number[] {
  const out: number[] = []
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue
        const k = pair.key.value
        if (seen.has(k)) out.push(pair.key.range?.[0] ?? 0)
        else seen.add(k)
      }
    },
  })
  return out
}

/** Checks a hatang hosts file read with readYaml (see README "The hosts file"). */
export function checkHostsFile(yaml: ReturnType<typeof readYaml>, file: string): HostsFileResult {
  const {doc, counter, data, errors} = yaml
  if (errors.length) return {errors}
  const at = (segs: readonly string[], problem: string, hint?: string, key = false): ConfigError => {
    const {line, column} = positionOf(doc, counter, segs, {key})
    return new ConfigError(file, line, column, pointer(segs), problem, hint)
  }
  const origin = (segs: readonly string[]): SettingOrigin => ({file, ...positionOf(doc, counter, segs), path: pointer(segs)})
  if (data === null || data === undefined) return {errors: [at([], 'is empty', "add a 'hosts:' map (see 'hatang hosts validate --help')")]}

  const problems = secretProblems(data, at)
  const schemaProblems = validateShape(schemaView(data), at)
  problems.push(...schemaProblems)
  if (problems.length) return {errors: problems}
  return resolve(data as HostsFile, at, origin, file, doc, counter)
}

/** A password-like key with a literal value (only `passwordEnv`, a variable NAME, is allowed). */
const isSecret = (k: string, v: unknown): boolean => k !== 'passwordEnv' && v !== null && (typeof v !== 'object' || Array.isArray(v)) && SECRET_KEY.test(k)
const isPlainMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Literal secrets: a password-like key with a value is an error, and its value is never repeated. */
function secretProblems(node: unknown, at: (s: Segs, p: string, h?: string, k?: boolean) => ConfigError): ConfigError[] {
  const out: ConfigError[] = []
  const segs: Segs = []
  const walk = (n: object): void => {
    for (const [k, v] of Object.entries(n)) {
      if (isSecret(k, v)) out.push(at([...segs, k], `looks like a secret: passwords, passphrases and tokens never go in the hosts file`, `put it in an environment variable and write 'passwordEnv: VARIABLE_NAME'`, true))
      else if (isPlainMap(v)) {
        segs.push(k)
        walk(v)
        segs.pop()
      }
    }
  }
  if (node !== null && typeof node === 'object') walk(node)
  return out
}

/**
 * What the schema checks: the document without its literal secrets (reported on their own, never repeated), and
 * with `name:` (no value) as `{}` inside the name maps (groups, hosts, children), so the schema sees one shape.
 */
function schemaView(node: unknown): unknown {
  if (!isPlainMap(node)) return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) if (!isSecret(k, v)) out[k] = k === 'groups' || k === 'hosts' || k === 'children' ? nameMapView(v) : schemaView(v)
  return out
}
function nameMapView(node: unknown): unknown {
  if (!isPlainMap(node)) return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) if (!isSecret(k, v)) out[k] = v === null ? {} : schemaView(v)
  return out
}

const ANYOF_TEXT: Record<string, string> = {
  identityFile: 'must be a path or a list of paths',
  knownHostsFile: 'must be a path or a list of paths',
}

function validateShape(data: unknown, at: (s: Segs, p: string, h?: string, k?: boolean) => ConfigError): ConfigError[] {
  const fn = compile(HostsFileSchema, HOSTS_FILE_VALIDATOR)
  if (fn(data)) return []
  const errors = fn.errors ?? []
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath))
  const out: ConfigError[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    const segs = pointerSegments(e.instancePath)
    let problem: ConfigError | undefined
    if (e.keyword === 'anyOf') problem = at(segs, ANYOF_TEXT[segs.at(-1) ?? ''] ?? 'has the wrong type')
    else if (anyOfPaths.has(e.instancePath)) continue
    else if (e.keyword === 'additionalProperties') {
      const key = (e.params as {additionalProperty: string}).additionalProperty
      problem = unknownKey(segs, key, at)
    } else if (e.keyword === 'required') continue
    else if (e.keyword === 'enum') problem = at(segs, `must be one of ${(e.params as {allowedValues: unknown[]}).allowedValues.join(', ')}`)
    else if (e.keyword === 'pattern' && segs.at(-1) === 'passwordEnv') problem = at(segs, 'must be the NAME of an environment variable (letters, digits, _)', "e.g. 'passwordEnv: DB_PASSWORD'")
    else if (e.keyword === 'type' && segs.length >= 2 && ['hosts', 'children', 'groups'].includes(segs.at(-2) ?? '') && (e.params as {type: string}).type === 'object')
      problem = at(segs, 'must be a map of settings, or nothing')
    else problem = at(segs, e.message ?? 'is invalid')
    const id = `${problem.path} ${problem.problem}`
    if (!seen.has(id)) {
      seen.add(id)
      out.push(problem)
    }
  }
  return out
}

function unknownKey(segs: Segs, key: string, at: (s: Segs, p: string, h?: string, k?: boolean) => ConfigError): ConfigError {
  const parent = segs.at(-2)
  const here = [...segs, key]
  if (segs.length === 0) return at(here, `is not a known section (defaults, groups, hosts)`, didYouMean(key, TOP_KEYS), true)
  const last = segs.at(-1)
  const nameMap =
    segs.length === 1 ? last === 'hosts' || last === 'groups' : (last === 'hosts' || last === 'children') && (segs.at(-3) === 'groups' || segs.at(-3) === 'children')
  if (nameMap) {
    const what = last === 'hosts' ? 'host' : 'group'
    return at(here, `is not a valid ${what} name (letters, digits, and . _ -${what === 'host' ? ' : @' : ''} after the first character)`, undefined, true)
  }
  const isGroup = parent === 'children' || parent === 'groups'
  const candidates = isGroup ? GROUP_KEYS : SETTING_KEYS
  const familiar = FAMILIAR[key.toLowerCase()]
  const hint = familiar ? (familiar.includes(' ') ? `use ${familiar}` : `did you mean '${familiar}'?`) : didYouMean(key, candidates)
  return at(here, `is not a known ${isGroup ? 'group key or setting' : 'setting'}`, hint ?? `known: ${candidates.join(', ')}`, true)
}

function toHostSettings(s: Settings | null | undefined): HostSettings {
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
}

/**
 * One level's settings (defaults, a group, one place a host is written), with where each was written: as JSON
 * Pointer segments, turned into line:column only for the settings a message may need (see `placed`).
 */
interface Level {
  settings: HostSettings
  origins: Partial<Record<keyof HostSettings, Segs>>
  /** Where each identityFile item is written. */
  identityOrigins?: Segs[]
}

function levelOf(raw: Settings | null | undefined, segs: Segs): Level {
  const settings = toHostSettings(raw)
  const origins: Level['origins'] = {}
  for (const k of Object.keys(settings) as (keyof HostSettings)[]) origins[k] = [...segs, SETTING_TO_YAML[k]]
  const level: Level = {settings, origins}
  if (raw?.identityFile !== undefined)
    level.identityOrigins = typeof raw.identityFile === 'string' ? [origins.identityFiles!] : raw.identityFile.map((_, i) => [...segs, 'identityFile', String(i)])
  return level
}

/** The settings whose position a later message or a host's key list needs. */
const PLACED = ['proxyJump', 'identityFiles', 'knownHostsFiles'] as const

/** Layers settings: later layers win, except tags, which accumulate. */
function layer(target: Level, level: Level): void {
  for (const [k, v] of Object.entries(level.settings) as [keyof HostSettings, never][]) {
    if (k === 'tags') target.settings.tags = [...new Set([...(target.settings.tags ?? []), ...(v as string[])])]
    else (target.settings as Record<string, unknown>)[k] = v
    target.origins[k] = level.origins[k]!
  }
  if (level.identityOrigins) target.identityOrigins = level.identityOrigins
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function resolve(
  data: HostsFile,
  at: (s: Segs, p: string, h?: string, k?: boolean) => ConfigError,
  origin: (s: Segs) => SettingOrigin,
  file: string,
  doc: Document,
  counter: LineCounter,
): HostsFileResult {
  const errors: ConfigError[] = []
  const groups = new Map<string, GroupInfo>()
  const edges: {parent: string; child: string; segs: Segs}[] = []
  const refs: {child: string; segs: Segs}[] = []
  const occurrences: Occurrence[] = []

  const addHosts = (hosts: Record<string, Settings | null> | undefined, group: string | null, segs: Segs): void => {
    for (const [name, settings] of Object.entries(hosts ?? {})) occurrences.push({name, group, settings: settings ?? {}, segs: [...segs, 'hosts', name]})
  }
  const walk = (name: string, def: GroupDef | null, segs: Segs, parent: string | null): void => {
    if (parent !== null) edges.push({parent, child: name, segs})
    if (def === null && parent !== null) {
      refs.push({child: name, segs}) // `child:` with no value refers to a group defined elsewhere
      return
    }
    const prior = groups.get(name)
    if (prior) {
      const first = positionOf(doc, counter, prior.segs, {key: true})
      errors.push(at(segs, `defines group '${name}' a second time (first at ${file}:${first.line}:${first.column})`, `define it once; elsewhere list it as a child with no value ('${name}:')`, true))
      return
    }
    groups.set(name, {def: def ?? {}, segs, order: groups.size, depth: 0})
    addHosts(def?.hosts, name, segs)
    for (const [child, cdef] of Object.entries(def?.children ?? {})) walk(child, cdef, [...segs, 'children', child], name)
  }
  for (const [name, def] of Object.entries(data.groups ?? {})) walk(name, def, ['groups', name], null)
  addHosts(data.hosts, null, [])

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
    groupLevels.set(g, levelOf(own, info.segs))
  }
  const defaults = levelOf(data.defaults, ['defaults'])
  /** Positions of segments, each computed once (hosts of a group share the group's). */
  const placedAt = new WeakMap<Segs, SettingOrigin>()
  const placed = (segs: Segs): SettingOrigin => {
    let o = placedAt.get(segs)
    if (!o) placedAt.set(segs, (o = origin(segs)))
    return o
  }
  /** Hosts with the same direct groups share their ancestors and the settings layered from them. */
  const lineage = new Map<string, {groups: string[]; level: Level}>()
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

  // hosts: one entry per name; host-level settings from several places must agree
  const byName = new Map<string, {occ: Occurrence[]; own: Level}>()
  for (const occ of occurrences) {
    let entry = byName.get(occ.name)
    if (!entry) byName.set(occ.name, (entry = {occ: [], own: {settings: {}, origins: {}}}))
    const own = levelOf(occ.settings, occ.segs)
    for (const [k, v] of Object.entries(own.settings) as [keyof HostSettings, unknown][]) {
      const prev = entry.own.settings[k]
      if (prev !== undefined && k !== 'tags' && JSON.stringify(prev) !== JSON.stringify(v)) {
        const first = placed(entry.own.origins[k]!)
        const what = k === 'address' ? 'a different address' : `a different ${SETTING_TO_YAML[k]}`
        errors.push(at([...occ.segs, SETTING_TO_YAML[k]], `gives host '${occ.name}' ${what} than ${first.file}:${first.line}:${first.column}`, `a host listed in several places is one machine: set ${SETTING_TO_YAML[k]} in one place only`, true))
        continue
      }
    }
    layer(entry.own, own)
    entry.occ.push(occ)
  }
  if (errors.length) return {errors}

  const hosts: DraftHost[] = []
  for (const [name, entry] of byName) {
    const {groups: groupList, level: inherited} = lineageOf([...new Set(entry.occ.map((o) => o.group).filter((g): g is string => g !== null))])
    const level: Level = {settings: {...inherited.settings}, origins: {...inherited.origins}, ...(inherited.identityOrigins ? {identityOrigins: inherited.identityOrigins} : {})}
    layer(level, entry.own)
    const first = entry.occ[0]!
    const pos = positionOf(doc, counter, first.segs, {key: true})
    const origins: DraftHost['origins'] = {}
    for (const k of PLACED) if (level.origins[k]) origins[k] = placed(level.origins[k])
    const draft: DraftHost = {name, settings: level.settings, origins, groups: groupList, source: {file, line: pos.line, column: pos.column}}
    if (level.identityOrigins) draft.identityOrigins = level.identityOrigins.map(placed)
    hosts.push(draft)
  }
  const members = new Map<string, Set<string>>()
  for (const o of occurrences) if (o.group !== null) (members.get(o.group) ?? members.set(o.group, new Set()).get(o.group)!).add(o.name)
  const childNames = new Map<string, Set<string>>()
  for (const e of edges) (childNames.get(e.parent) ?? childNames.set(e.parent, new Set()).get(e.parent)!).add(e.child)
  const groupMembers: DraftInventory['groups'] = {}
  for (const [g] of [...groups].sort((a, b) => a[1].order - b[1].order)) groupMembers[g] = {hosts: [...(members.get(g) ?? [])], children: [...(childNames.get(g) ?? [])]}
  return {draft: {hosts, groups: groupMembers}, errors: []}
}
