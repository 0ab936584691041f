import type {ConfigError} from '../config/config-error.js'
import {errorAt, type ErrorAt} from '../config/error-at.js'
import {schemaProblems, type OwnProblem} from '../config/schema-problems.js'
import type {YamlPositions} from '../config/yaml-positions.js'
import {compile} from '../model/compile-schema.js'
import {UNIT_PATH_RULE} from '../model/unit.js'
import {closest, didYouMean} from './did-you-mean.js'
import {HOSTS_FILE_VALIDATOR, HostsFileSchema, SETTING_KEYS} from './hosts-schema.js'

/**
 * The shape of a hatang hosts file: literal secrets (reported without their value), the schema's problems put in
 * words a user acts on (familiar keys from ssh_config and Ansible, typos, units), before anything is resolved.
 */

type Segs = string[]

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

const TOP_KEYS = ['units', 'defaults', 'groups', 'hosts']
const GROUP_KEYS = [...SETTING_KEYS, 'reference', 'hosts', 'children']

/**
 * Whether parsed YAML is meant as a hatang hosts file: a top-level `units`, `defaults`, `groups` or `hosts` key, or
 * (without Ansible's usual `all:` root) a key that is a likely typo of one.
 */
export function isHostsFileShape(data: unknown): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false
  const keys = Object.keys(data)
  return keys.some((k) => TOP_KEYS.includes(k)) || (!keys.includes('all') && keys.some((k) => closest(k, TOP_KEYS) !== undefined))
}

/** The problems of a hosts file's shape: its literal secrets, then what the schema finds (secrets never repeated). */
export function shapeProblems(yaml: {data: unknown; positions: YamlPositions}, file: string): ConfigError[] {
  return [...secretProblems(yaml.data, errorAt(file, yaml.positions)), ...validateShape(schemaView(yaml.data), yaml.positions, file)]
}

/** A password-like key with a literal value (only `passwordEnv`, a variable NAME, is allowed). */
const isSecret = (k: string, v: unknown): boolean => k !== 'passwordEnv' && v !== null && (typeof v !== 'object' || Array.isArray(v)) && SECRET_KEY.test(k)
const isPlainMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Literal secrets: a password-like key with a value is an error, and its value is never repeated. */
function secretProblems(node: unknown, at: ErrorAt): ConfigError[] {
  const out: ConfigError[] = []
  const segs: Segs = []
  const walk = (n: Record<string, unknown>): void => {
    for (const k of Object.keys(n)) {
      const v = n[k]
      if (isSecret(k, v)) out.push(at([...segs, k], `looks like a secret: passwords, passphrases and tokens never go in the hosts file`, `put it in an environment variable and write 'passwordEnv: VARIABLE_NAME'`, true))
      else if (isPlainMap(v)) {
        segs.push(k)
        walk(v)
        segs.pop()
      }
    }
  }
  if (node !== null && typeof node === 'object') walk(node as Record<string, unknown>)
  return out
}

/**
 * What the schema checks: the document without its literal secrets (reported on their own, never repeated), and
 * with `name:` (no value) as `{}` inside the name maps (groups, hosts, children), so the schema sees one shape.
 * A map that needs no change is not copied (the hosts maps of a big inventory seldom do).
 */
function schemaView(node: unknown): unknown {
  return view(node, (k, v) => (k === 'groups' || k === 'hosts' || k === 'children' ? nameMapView(v) : schemaView(v)))
}
function nameMapView(node: unknown): unknown {
  return view(node, (_, v) => (v === null ? {} : schemaView(v)))
}
function view(node: unknown, child: (k: string, v: unknown) => unknown): unknown {
  if (!isPlainMap(node)) return node
  const keys = Object.keys(node)
  let out: Record<string, unknown> | undefined
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    const v = node[k]
    const secret = isSecret(k, v)
    const w = secret ? undefined : child(k, v)
    if (!out && (secret || w !== v)) {
      out = {}
      for (let j = 0; j < i; j++) out[keys[j]!] = node[keys[j]!]
    }
    if (out && !secret) out[k] = w
  }
  return out ?? node
}

const ANYOF_TEXT: Record<string, string> = {
  identityFile: 'must be a path or a list of paths',
  knownHostsFile: 'must be a path or a list of paths',
  reference: 'must be a host of the group, or {file: PATH} naming a standard file',
}

/** What the schema finds, in words a user acts on, through the one reading of schema errors (src/config). */
function validateShape(data: unknown, positions: YamlPositions, file: string): ConfigError[] {
  let anyOfPaths: Set<string> | undefined
  return schemaProblems(compile(HostsFileSchema, HOSTS_FILE_VALIDATOR), {data, positions}, file, {
    everyKey: true,
    all: true,
    message: (e, placed, errors) => {
      anyOfPaths ??= new Set(errors.filter((x) => x.keyword === 'anyOf').map((x) => x.instancePath))
      const segs = e.keyword === 'additionalProperties' ? placed.slice(0, -1) : placed
      if (e.keyword === 'anyOf') return ANYOF_TEXT[segs.at(-1) ?? ''] ?? 'has the wrong type'
      if (anyOfPaths.has(e.instancePath)) return null // the anyOf error says it
      if (e.keyword === 'additionalProperties') return unknownKey(segs, (e.params as {additionalProperty: string}).additionalProperty)
      if (e.keyword === 'required' && segs.length === 2 && segs[0] === 'units')
        return {problem: `gives unit '${segs[1]}' no Vietnamese name`, hint: `write '${segs[1]}: {vi: …, en: …}' (en is optional)`, key: true}
      if (e.keyword === 'required') return null
      if (e.keyword === 'type' && segs.length === 2 && segs[0] === 'units') return "must be the unit's names: {vi: …, en: …}"
      if (e.keyword === 'pattern' && segs.at(-1) === 'unit') return `is not a unit path (${UNIT_PATH_RULE})`
      if (e.keyword === 'pattern' && segs.at(-1) === 'passwordEnv') return {problem: 'must be the NAME of an environment variable (letters, digits, _)', hint: "e.g. 'passwordEnv: DB_PASSWORD'"}
      if (e.keyword === 'type' && segs.length >= 2 && ['hosts', 'children', 'groups'].includes(segs.at(-2) ?? '') && (e.params as {type: string}).type === 'object')
        return 'must be a map of settings, or nothing'
      return undefined
    },
  })
}

/** An unknown key of the map at `segs` (placed at the key itself): a typo, a key from habit, a bad name. */
function unknownKey(segs: readonly string[], key: string): OwnProblem {
  const parent = segs.at(-2)
  if (segs.length === 0) return {problem: `is not a known section (${TOP_KEYS.join(', ')})`, hint: didYouMean(key, TOP_KEYS)}
  const last = segs.at(-1)
  if (segs.length === 1 && last === 'units') return {problem: `is not a unit path (${UNIT_PATH_RULE})`}
  if (segs.length === 2 && segs[0] === 'units') return {problem: 'is not a unit name key (vi, en)', hint: didYouMean(key, ['vi', 'en']) ?? 'vi: the name in Vietnamese, en: in English'}
  const nameMap =
    segs.length === 1 ? last === 'hosts' || last === 'groups' : (last === 'hosts' || last === 'children') && (segs.at(-3) === 'groups' || segs.at(-3) === 'children')
  if (nameMap) {
    const what = last === 'hosts' ? 'host' : 'group'
    return {problem: `is not a valid ${what} name (letters, digits, and . _ -${what === 'host' ? ' : @' : ''} after the first character)`}
  }
  const isGroup = parent === 'children' || parent === 'groups'
  const candidates = isGroup ? GROUP_KEYS : SETTING_KEYS
  const familiar = FAMILIAR[key.toLowerCase()]
  const hint = familiar ? (familiar.includes(' ') ? `use ${familiar}` : `did you mean '${familiar}'?`) : didYouMean(key, candidates)
  return {problem: `is not a known ${isGroup ? 'group key or setting' : 'setting'}`, hint: hint ?? `known: ${candidates.join(', ')}`}
}
