import type {Static, TSchema} from '@sinclair/typebox'
import {Type} from '../model/type-builder.js'

import {Arr, Bool, Int, Num, Obj, Opt, Str, StringEnum} from '../model/schema-helpers.js'
import {INVENTORY_TRANSPORT_KINDS} from '../model/transport-kind.js'
import {UNIT_PATH_PATTERN} from '../model/unit.js'

/** Names of hosts and groups: what a shell, a file name and an Ansible pattern take without quoting. */
export const HOST_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.:@-]*$'
export const GROUP_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]*$'
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$'

const OneOrMany = (description: string) => Type.Union([Str({minLength: 1}), Arr(Str({minLength: 1}), {minItems: 1})], {description})
const Seconds = (description: string) => Num({exclusiveMinimum: 0, maximum: 86_400, description})

/** The settings a host takes, at every level: defaults < outer group < inner group < host. */
export const settingsProperties = {
  address: Opt(Str({minLength: 1, description: 'Where to connect (ssh HostName); defaults to the host name.'})),
  port: Opt(Int({minimum: 1, maximum: 65_535, description: 'SSH port; 22 unless ssh_config says otherwise.'})),
  user: Opt(Str({minLength: 1, description: 'Remote user.'})),
  identityFile: Opt(OneOrMany('Private key file(s) to offer; `~` is the home folder.')),
  knownHostsFile: Opt(OneOrMany('known_hosts file(s) to verify host keys against.')),
  proxyJump: Opt(Str({minLength: 1, description: 'OpenSSH ProxyJump: `[user@]host[:port][,…]`, a host of this inventory, or `none`.'})),
  sudo: Opt(Bool({description: 'Run privileged probes through `sudo -n`.'})),
  transport: Opt(StringEnum(INVENTORY_TRANSPORT_KINDS, {description: '`local` runs on this machine without SSH.'})),
  tags: Opt(Arr(Str({minLength: 1}), {description: 'Free labels; they accumulate across levels.'})),
  role: Opt(Str({minLength: 1, description: 'What the host is for (web, db…), for reports and fleet checks.'})),
  connectTimeout: Opt(Seconds('Seconds to wait for the connection.')),
  commandTimeout: Opt(Seconds('Seconds each probe command may run.')),
  passwordEnv: Opt(Str({pattern: ENV_NAME_PATTERN, description: 'NAME of the environment variable holding the password (never the password).'})),
  unit: Opt(Str({pattern: UNIT_PATH_PATTERN, description: "The unit the host belongs to: a path declared under 'units:'."})),
}

export const SETTING_KEYS = Object.keys(settingsProperties) as (keyof typeof settingsProperties)[]

export const SettingsSchema = Obj(settingsProperties)
export type Settings = Static<typeof SettingsSchema>

/** A map of names: a name that does not match the pattern is an error (closed, like every object here). */
const NameMap = <T extends TSchema>(pattern: string, value: T) =>
  Type.Record(Type.String({pattern}), value, {additionalProperties: false})

// `name:` with no value is validated as `{}` (the loader normalises it); references are told apart before.

/** What a group declares right for its fleet checks: one of its hosts, or a standard file (src/model/group-reference.ts). */
export const ReferenceSchema = Type.Union(
  [Str({pattern: HOST_NAME_PATTERN}), Obj({file: Str({minLength: 1, description: 'A standard file (YAML), relative to the hosts file.'})})],
  {description: "The group's reference for fleet checks: a host of the group, or {file: standards/web.yaml}."},
)
export type ReferenceDef = Static<typeof ReferenceSchema>

export const GroupSchema = Type.Recursive(
  (This) =>
    Obj({
      ...settingsProperties,
      reference: Opt(ReferenceSchema),
      hosts: Opt(NameMap(HOST_NAME_PATTERN, SettingsSchema)),
      children: Opt(NameMap(GROUP_NAME_PATTERN, This)),
    }),
  {$id: 'urn:hatang:schema:hosts-group'},
)

/** The name of the hosts file's validator among those the build precompiles (scripts/build-validators.ts). */
export const HOSTS_FILE_VALIDATOR = 'hostsFile'

/** A unit's names: Vietnamese required, English optional (the Vietnamese one stands in). */
export const UnitNamesSchema = Obj({vi: Str({minLength: 1, description: 'Name in Vietnamese.'}), en: Opt(Str({minLength: 1, description: 'Name in English.'}))})
export type UnitNames = Static<typeof UnitNamesSchema>

/** hosts.yaml, as a closed JSON Schema. */
export const HostsFileSchema = Obj(
  {
    units: Opt(NameMap(UNIT_PATH_PATTERN, UnitNamesSchema)),
    defaults: Opt(SettingsSchema),
    groups: Opt(NameMap(GROUP_NAME_PATTERN, GroupSchema)),
    hosts: Opt(NameMap(HOST_NAME_PATTERN, SettingsSchema)),
  },
  {$id: 'urn:hatang:schema:hosts-file', title: 'hatang hosts file'},
)

export interface GroupDef extends Settings {
  reference?: ReferenceDef
  hosts?: Record<string, Settings | null>
  children?: Record<string, GroupDef | null>
}

export interface HostsFile {
  units?: Record<string, UnitNames>
  defaults?: Settings
  groups?: Record<string, GroupDef | null>
  hosts?: Record<string, Settings | null>
}
