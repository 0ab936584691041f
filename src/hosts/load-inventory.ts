import {existsSync, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {ConfigError} from '../config/config-error.js'
import {readPlainYaml} from '../config/plain-yaml.js'
import {readYaml} from '../config/read-yaml.js'
import {parseAnsibleIni} from './ansible-ini.js'
import {isAnsibleYamlShape, parseAnsibleYaml} from './ansible-yaml.js'
import {finalizeInventory, type FinalizeOptions} from './finalize.js'
import {checkHostsFile, type HostsFileResult} from './hosts-file.js'
import {isHostsFileShape} from './hosts-shape.js'
import type {Inventory} from './model.js'
import {SshConfig} from './ssh-config.js'

export type InventoryFormat = 'hatang' | 'ansible-yaml' | 'ansible-ini'

export interface LoadOptions extends Omit<FinalizeOptions, 'sshConfig'> {
  /** An ssh_config file to consult; default ~/.ssh/config when it exists; null for none. */
  sshConfig?: string | null
}

export interface InventoryResult {
  format?: InventoryFormat
  inventory?: Inventory
  errors: ConfigError[]
}

/** The ssh_config used by default: ~/.ssh/config, when there is one. */
export function defaultSshConfigPath(home = os.homedir()): string | undefined {
  const p = path.join(home, '.ssh', 'config')
  return existsSync(p) ? p : undefined
}

/**
 * Reads an inventory, whatever its format: a hatang hosts file (top-level `defaults`/`groups`/`hosts`),
 * an Ansible YAML inventory (top-level groups with hosts/vars/children) or an Ansible INI inventory.
 * Returns every problem found rather than throwing.
 */
export function readInventory(file: string, options: LoadOptions = {}): InventoryResult {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {errors: [new ConfigError(file, 1, 1, '', code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`, 'give the path of a hosts.yaml or an Ansible inventory')]}
  }
  // First the fast way: YAML in the plain subset most inventories are written in (src/config/plain-yaml.ts). When it is not,
  // or when anything is wrong, the `yaml` library reads the text again and places every problem, as it always has.
  const fast = resolveInventory(text, file, options, 'plain')
  if (fast && fast.errors.length === 0) return fast
  return resolveInventory(text, file, options, 'yaml')!
}

/** The inventory in `text`, read with `parser`; undefined when the plain reader does not read it. */
function resolveInventory(text: string, file: string, options: LoadOptions, parser: 'plain' | 'yaml'): InventoryResult | undefined {
  // parsed in a function of its own: the text and the YAML document (the largest part, with every node's position)
  // can be collected before the hosts are resolved
  const parsed = parseInventory(text, file, parser)
  if (!parsed) return undefined
  const {format, draft, errors} = parsed
  if (!draft) return {format, errors}
  const home = options.home ?? os.homedir()
  let sshConfig: SshConfig | undefined
  const sshPath = options.sshConfig === undefined ? defaultSshConfigPath(home) : (options.sshConfig ?? undefined)
  if (sshPath) {
    try {
      sshConfig = SshConfig.load(sshPath, {home, ...(options.localUser ? {localUser: options.localUser} : {})})
    } catch (error) {
      if (error instanceof ConfigError) return {format, errors: [error]}
      throw error
    }
  }
  const done = finalizeInventory(draft, {home, ...(options.localUser ? {localUser: options.localUser} : {}), ...(sshConfig ? {sshConfig} : {})})
  return {format, ...done}
}

/** The draft of an inventory, in whichever format it is written; undefined when the plain reader does not read it. */
function parseInventory(text: string, file: string, parser: 'plain' | 'yaml'): ({format: InventoryFormat} & HostsFileResult) | undefined {
  const ext = path.extname(file).toLowerCase()
  const yamlByName = ['.yaml', '.yml', '.json'].includes(ext)
  const isIni = ['.ini', '.cfg'].includes(ext)
  if (parser === 'plain') {
    const plain = isIni ? undefined : readPlainYaml(text)
    if (!plain) return undefined
    if (isHostsFileShape(plain.data) || (yamlByName && !isAnsibleYamlShape(plain.data))) return {format: 'hatang', ...checkHostsFile({...plain, errors: []}, file)}
    if (isAnsibleYamlShape(plain.data)) return {format: 'ansible-yaml', ...parseAnsibleYaml(plain.positions, plain.data, file)}
    return undefined
  }
  const y = isIni ? undefined : readYaml(text, file)
  const data = y && y.errors.length === 0 ? y.data : undefined
  if (y && (isHostsFileShape(data) || (yamlByName && !isAnsibleYamlShape(data)))) return {format: 'hatang', ...checkHostsFile(y, file)}
  if (y && y.errors.length === 0 && isAnsibleYamlShape(data)) return {format: 'ansible-yaml', ...parseAnsibleYaml(y.positions, y.data, file)}
  return {format: 'ansible-ini', ...parseAnsibleIni(text, file)}
}

/** Reads an inventory or throws its first ConfigError (carrying the others in `more`). */
export function loadInventory(file: string, options: LoadOptions = {}): Inventory {
  const r = readInventory(file, options)
  ConfigError.throwIfAny(r.errors)
  return r.inventory!
}
