import {existsSync, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {parseAnsibleIni} from './ansible-ini.js'
import {isAnsibleYamlShape, parseAnsibleYaml} from './ansible-yaml.js'
import {ConfigError} from './config-error.js'
import type {DraftInventory} from './draft.js'
import {finalizeInventory, type FinalizeOptions} from './finalize.js'
import {checkHostsFile, isHostsFileShape, readYaml} from './hosts-file.js'
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
  // parsed in a function of its own: the text and the YAML document (the largest part, with every node's position)
  // can be collected before the hosts are resolved
  const {format, parsed} = parseInventory(text, file)
  if (!parsed.draft) return {format, errors: parsed.errors}
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
  const done = finalizeInventory(parsed.draft, {home, ...(options.localUser ? {localUser: options.localUser} : {}), ...(sshConfig ? {sshConfig} : {})})
  return {format, ...done}
}

/** The draft of an inventory, in whichever format it is written. */
function parseInventory(text: string, file: string): {format: InventoryFormat; parsed: {draft?: DraftInventory; errors: ConfigError[]}} {
  const ext = path.extname(file).toLowerCase()
  const yamlByName = ['.yaml', '.yml', '.json'].includes(ext)
  const y = ['.ini', '.cfg'].includes(ext) ? undefined : readYaml(text, file)
  const data = y && y.errors.length === 0 ? y.data : undefined
  if (y && (isHostsFileShape(data) || (yamlByName && !isAnsibleYamlShape(data)))) return {format: 'hatang', parsed: checkHostsFile(y, file)}
  if (y && y.errors.length === 0 && isAnsibleYamlShape(data)) return {format: 'ansible-yaml', parsed: parseAnsibleYaml(y.doc, y.counter, y.data, file)}
  return {format: 'ansible-ini', parsed: parseAnsibleIni(text, file)}
}

/** Reads an inventory or throws its first ConfigError (carrying the others in `more`). */
export function loadInventory(file: string, options: LoadOptions = {}): Inventory {
  const r = readInventory(file, options)
  ConfigError.throwIfAny(r.errors)
  return r.inventory!
}
