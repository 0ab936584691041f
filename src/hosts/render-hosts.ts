import type {ChalkInstance} from 'chalk'

import type {ConfigError} from '../config/config-error.js'
import type {HostSpec} from './model.js'
import {formatProxyJump} from './proxy-jump.js'
import type {ValidateResult} from './validate-inventory.js'
import {plural} from '../model/plural.js'

/** `ok: 12 hosts in 4 groups`, or one positioned line per problem. */
export function renderValidate(file: string, result: ValidateResult, errors: ConfigError[], color: ChalkInstance): string {
  if (result.valid) return `${color.green('ok')}: ${plural(result.hosts, 'host')} in ${plural(result.groups, 'group')} (${file}, ${result.format} format)`
  return errors.map((e) => e.format({validateHint: false})).join('\n')
}

/** A text table of resolved hosts. passwordEnv shows the variable name, never its value. */
export function renderHostList(hosts: readonly HostSpec[], color: ChalkInstance): string {
  if (hosts.length === 0) return 'no hosts'
  const header = ['NAME', 'ADDRESS', 'PORT', 'USER', 'VIA', 'SUDO', 'PROXYJUMP', 'GROUPS', 'UNIT', 'TAGS', 'KEY', 'PASSWORD']
  const rows = hosts.map((h) => [
    h.name,
    h.transport === 'local' ? '-' : h.address,
    h.transport === 'local' ? '-' : String(h.port),
    h.transport === 'local' ? '-' : (h.user ?? '-'),
    h.transport,
    h.sudo ? 'yes' : 'no',
    h.proxyJump ? formatProxyJump(h.proxyJump) : '-',
    h.groups.join(',') || '-',
    h.unit?.path ?? '-',
    h.tags.join(',') || '-',
    h.transport !== 'local' && h.identityFiles.length ? keys(h) : '-',
    h.passwordEnv ? `$${h.passwordEnv}` : '-',
  ])
  const used = header.map((_, i) => i < 6 || rows.some((r) => r[i] !== '-'))
  const cols = header.map((_, i) => i).filter((i) => used[i])
  // a loop, not Math.max(...rows): a spread of 100,000 arguments overflows the stack
  const width = cols.map((i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), header[i]!.length))
  const line = (cells: string[]) =>
    cols
      .map((i, j) => (j === cols.length - 1 ? cells[i]! : cells[i]!.padEnd(width[j]!)))
      .join('  ')
      .trimEnd()
  return [color.bold(line(header)), ...rows.map(line), '', plural(hosts.length, 'host')].join('\n')
}

/** The key files a host offers, a configured one that does not exist marked `(missing)`. */
function keys(h: HostSpec): string {
  const missing = new Set(h.configuredIdentityFiles?.filter((f) => f.missing).map((f) => f.file))
  return h.identityFiles.map((f) => (missing.has(f) ? `${f} (missing)` : f)).join(',')
}
