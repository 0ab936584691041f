import {parseProxyJump} from './proxy-jump.js'
import type {HostSettings} from './draft.js'

/** Ansible's boolean(): yes/on/true/1 (any case) and real booleans. */
export function ansibleBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined
  if (typeof v !== 'string') return undefined
  const s = v.trim().toLowerCase()
  if (['yes', 'on', 'true', '1', 'y', 't'].includes(s)) return true
  if (['no', 'off', 'false', '0', 'n', 'f', ''].includes(s)) return false
  return undefined
}

const str = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'string' || typeof v === 'number' ? String(v) : undefined

/** A value Ansible would template at run time; hatang cannot evaluate Jinja, so it is not imported. */
const templated = (v: string | undefined): boolean => v !== undefined && v.includes('{{')

/** ProxyJump from ssh args: `-J hop`, `-o ProxyJump=hop`, or the classic `ProxyCommand="ssh -W %h:%p [-p N] [user@]hop"`. */
export function proxyFromSshArgs(args: string): string | undefined {
  const j = /(?:^|\s)-J\s*(\S+)/.exec(args) ?? /-o\s*['"]?ProxyJump[= ]\s*([^'"\s]+)/i.exec(args)
  if (j) return j[1]
  const pc = /-o\s*['"]?ProxyCommand[= ]\s*(?:"|')?ssh\s+(.*?)(?:"|'|$)/i.exec(args)
  if (!pc) return undefined
  const words = pc[1]!.split(/\s+/).filter(Boolean)
  let port: string | undefined
  let target: string | undefined
  let user: string | undefined
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if (w === '-W') i++
    else if (w === '-p') port = words[++i]
    else if (w === '-l') user = words[++i]
    else if (w === '-q') continue
    else if (w.startsWith('-')) return undefined // anything more complex is not a simple jump
    else if (target === undefined) target = w
    else return undefined
  }
  if (!target || !pc[1]!.includes('-W')) return undefined
  return `${user && !target.includes('@') ? `${user}@` : ''}${target}${port ? `:${port}` : ''}`
}

/**
 * The connection settings of a host, from its merged Ansible variables (ansible_host, ansible_port,
 * ansible_user, ansible_ssh_private_key_file, ansible_become, ansible_connection, ssh args with a jump).
 * Throws an Error naming the variable when a value cannot be used.
 */
export function settingsFromAnsibleVars(vars: Record<string, unknown>): HostSettings {
  const s: HostSettings = {}
  const address = str(vars.ansible_host ?? vars.ansible_ssh_host)
  if (address && !templated(address)) s.address = address
  const portRaw = vars.ansible_port ?? vars.ansible_ssh_port
  if (portRaw !== undefined && portRaw !== null && !templated(str(portRaw))) {
    const port = Number(portRaw)
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error('ansible_port must be a port number (1-65535)')
    s.port = port
  }
  const user = str(vars.ansible_user ?? vars.ansible_ssh_user)
  if (user && !templated(user)) s.user = user
  const key = str(vars.ansible_ssh_private_key_file ?? vars.ansible_private_key_file)
  if (key && !templated(key)) s.identityFiles = [key]
  if (vars.ansible_become !== undefined) {
    const b = ansibleBool(vars.ansible_become)
    if (b === undefined && !templated(str(vars.ansible_become))) throw new Error('ansible_become must be a boolean (yes/no, true/false)')
    if (b !== undefined) s.sudo = b
  }
  const conn = str(vars.ansible_connection)
  if (conn && !templated(conn)) {
    if (conn === 'local') s.transport = 'local'
    else if (['ssh', 'smart', 'paramiko', 'paramiko_ssh'].includes(conn)) s.transport = 'ssh'
    else throw new Error(`ansible_connection '${conn}' is not supported (hatang connects with ssh or local)`)
  }
  for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args'] as const) {
    const args = str(vars[name])
    const jump = args ? proxyFromSshArgs(args) : undefined
    if (jump && s.proxyJump === undefined) {
      parseProxyJump(jump) // throws when malformed
      s.proxyJump = jump
    }
  }
  return s
}
