import {ConfigError} from '../config/config-error.js'
import {groupWarnings, hostNames, warningJson, type GroupedWarning} from './inventory-warnings.js'
import type {InventoryResult} from './load-inventory.js'

export interface ValidateResult {
  valid: boolean
  format?: string
  hosts: number
  groups: number
  errors: ReturnType<ConfigError['toJSON']>[]
  warnings: ReturnType<typeof warningJson>[]
}

/**
 * What `hosts validate` says of an inventory: its problems, plus every identity file it names that does not
 * exist (an error here, though a sweep still runs: the host then fails to log in), and the warnings of the rest.
 */
export function validateInventory(r: InventoryResult): {result: ValidateResult; errors: ConfigError[]; warnings: GroupedWarning[]} {
  const hosts = r.inventory?.hosts ?? []
  const grouped = groupWarnings(hosts)
  const missing = grouped.filter((g) => g.warning.code === 'identity-file-missing')
  const warnings = grouped.filter((g) => g.warning.code !== 'identity-file-missing')
  const errors = [...r.errors, ...missing.map(({warning: w, hosts: names}) => new ConfigError(w.file, w.line, w.column, w.path, `${w.message} (${hostNames(names)})`, w.hint))]
  const result: ValidateResult = {
    valid: errors.length === 0,
    ...(r.format ? {format: r.format} : {}),
    hosts: hosts.length,
    groups: Object.keys(r.inventory?.groups ?? {}).length,
    errors: errors.map((e) => e.toJSON()),
    warnings: warnings.map(warningJson),
  }
  return {result, errors, warnings}
}
