import type {ChalkInstance} from 'chalk'

import {atPosition} from '../config/config-error.js'
import type {HostSpec, InventoryWarning} from './model.js'

/** A warning with the hosts it applies to (a group variable's warning applies to all its hosts). */
export interface GroupedWarning {
  warning: InventoryWarning
  hosts: string[]
}

/** The warnings of these hosts, each once (same place, same text), with their hosts, in inventory order. */
export function groupWarnings(hosts: readonly HostSpec[]): GroupedWarning[] {
  const byKey = new Map<string, GroupedWarning>()
  for (const h of hosts)
    for (const w of h.warnings ?? []) {
      const key = `${w.file}:${w.line}:${w.column} ${w.message}`
      const entry = byKey.get(key)
      if (entry) entry.hosts.push(h.name)
      else byKey.set(key, {warning: w, hosts: [h.name]})
    }
  return [...byKey.values()]
}

/** `host web01`, `hosts a, b, c`, `hosts a, b, c and 9,997 more`. */
export function hostNames(names: readonly string[]): string {
  if (names.length === 1) return `host ${names[0]}`
  const shown = names.slice(0, 3).join(', ')
  return `hosts ${shown}${names.length > 3 ? ` and ${(names.length - 3).toLocaleString('en')} more` : ''}`
}

/** `warning: inventory.ini:27:1 ansible_ssh_common_args: -C is ignored (…) (hosts a, b) — hint`, one line. */
export function formatWarning(g: GroupedWarning, color: ChalkInstance): string {
  const w = g.warning
  return `${color.yellow('warning')}: ${atPosition(w, `${w.message} (${hostNames(g.hosts)})`)}${w.hint ? ` — ${w.hint}` : ''}`
}

/** The JSON form: the warning, how many hosts it applies to and the first few of them. */
export function warningJson(g: GroupedWarning): InventoryWarning & {hosts: number; examples: string[]} {
  return {...g.warning, hosts: g.hosts.length, examples: g.hosts.slice(0, 3)}
}

/** The warnings as text lines (for stderr). */
export function renderWarnings(warnings: readonly GroupedWarning[], color: ChalkInstance): string {
  return warnings.map((g) => formatWarning(g, color)).join('\n')
}
