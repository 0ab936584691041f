import {unitFromAnsibleVars} from './ansible-unit.js'
import type {HostSettings} from './draft.js'
import type {InventoryWarningCode} from './model.js'
import {shlexSplit} from './shlex-split.js'
import {jumpFromProxyCommand, SshCommandLine, SshOptionError, type FromVariable, type SshOptionNote} from './ssh-command-line.js'

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

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)

/** A value Ansible would template at run time; hatang cannot evaluate Jinja, so it is not imported. */
const templated = (v: string | undefined): boolean => v !== undefined && v.includes('{{')

/** A variable that cannot be used as written, named so the importer can point at where it is written. */
export class AnsibleVarError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message)
  }
}

/** A remark about one variable; the importer turns the variable into the place it is written. */
export interface VariableNote {
  variable: string
  code: InventoryWarningCode
  message: string
  hint?: string
}

/** A host's connection settings as read from its merged Ansible variables. */
export interface AnsibleSettings {
  settings: HostSettings
  /** The variable each setting was read from. */
  from: Partial<Record<keyof HostSettings, string>>
  /** The variable each of `settings.identityFiles` was written in. */
  identityFrom: string[]
  notes: VariableNote[]
}

/**
 * The names Ansible's ssh connection plugin reads each setting from (plugins/connection/ssh.py); of several, the
 * last one that is set wins (its config manager reads them in order and keeps the last).
 */
const NAMES = {
  host: ['ansible_host', 'ansible_ssh_host'],
  port: ['ansible_port', 'ansible_ssh_port'],
  user: ['ansible_user', 'ansible_ssh_user'],
  key: ['ansible_private_key_file', 'ansible_ssh_private_key_file'],
  timeout: ['ansible_ssh_timeout'],
  hostKeyChecking: ['ansible_host_key_checking', 'ansible_ssh_host_key_checking'],
} as const
/** Variables holding a password; hatang never reads one from an inventory. */
const PASSWORDS = ['ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password', 'ansible_become_password', 'ansible_become_pass']

const HOST_KEY_HINT = "record the hosts' keys in known_hosts (ssh-keyscan, or a first sweep with --accept-new)"

/**
 * The connection settings of a host (and its unit, ansible-unit.ts), from its merged Ansible variables, as Ansible's ssh connection gets them: ssh
 * is run with `ansible_ssh_args`, then `-o StrictHostKeyChecking=no` when host key checking is off, `-o Port=`
 * (ansible_port), `-o IdentityFile=` (ansible_ssh_private_key_file), `-o User=` (ansible_user), `-o ConnectTimeout=`
 * (ansible_ssh_timeout, default 10), then `ansible_ssh_common_args` and `ansible_ssh_extra_args`, and ssh keeps the
 * first value of each option. Options hatang has no equivalent for, or refuses, are noted by name.
 * Throws an AnsibleVarError naming the variable when a value cannot be used.
 */
export function settingsFromAnsibleVars(name: string, vars: Record<string, unknown>): AnsibleSettings {
  const s: HostSettings = {}
  const from: AnsibleSettings['from'] = {}
  const notes: VariableNote[] = []
  const note = (variable: string, code: InventoryWarningCode, message: string, hint?: string) => notes.push({variable, code, message, ...(hint ? {hint} : {})})
  /** The variable Ansible reads among `names`, and its value when usable (a template is noted and left out). */
  const pick = (names: readonly string[]): {variable: string; value?: string; raw: unknown} | undefined => {
    let variable: string | undefined
    for (let i = names.length - 1; i >= 0 && variable === undefined; i--) if (vars[names[i]!] !== undefined && vars[names[i]!] !== null) variable = names[i]
    if (variable === undefined) return undefined
    const raw = vars[variable]
    const value = str(raw)
    if (templated(value)) {
      note(variable, 'template-not-evaluated', `${variable}: '${value}' is a Jinja template, which hatang does not evaluate: ignored`, 'write the value itself for hatang')
      return {variable, raw}
    }
    return {variable, raw, ...(value !== undefined ? {value} : {})}
  }

  const unit = unitFromAnsibleVars(vars, {
    note: (n) => notes.push(n),
    fail: (variable, message) => {
      throw new AnsibleVarError(variable, message)
    },
  })
  if (unit) s.unit = unit
  if (vars.ansible_become !== undefined) {
    const b = ansibleBool(vars.ansible_become)
    if (b === undefined && !templated(str(vars.ansible_become))) throw new AnsibleVarError('ansible_become', 'ansible_become must be a boolean (yes/no, true/false)')
    if (b !== undefined) s.sudo = b
  }
  const conn = str(vars.ansible_connection)
  if (conn && !templated(conn)) {
    if (conn === 'local') s.transport = 'local'
    else if (['ssh', 'smart', 'paramiko', 'paramiko_ssh'].includes(conn)) s.transport = 'ssh'
    else throw new AnsibleVarError('ansible_connection', `ansible_connection '${conn}' is not supported (hatang connects with ssh or local)`)
  }
  const host = pick(NAMES.host)
  if (s.transport === 'local') {
    // a local connection runs no ssh: its address, port and user are kept as written, and nothing is said of the rest
    const port = Number(pick(NAMES.port)?.value)
    const user = pick(NAMES.user)?.value
    if (host?.value) s.address = host.value
    if (Number.isInteger(port) && port >= 1 && port <= 65_535) s.port = port
    if (user) s.user = user
    return {settings: s, from: {}, identityFrom: [], notes}
  }

  for (const p of PASSWORDS)
    if (vars[p] !== undefined && vars[p] !== null)
      note(p, 'password-ignored', `${p} is ignored: hatang never takes a password from an inventory`, 'use a key (ansible_ssh_private_key_file), or a hatang hosts file with passwordEnv')

  const line = new SshCommandLine()
  const sshArgs = (variable: string) => {
    const raw = vars[variable]
    if (raw === undefined || raw === null || raw === '') return
    if (typeof raw !== 'string') return note(variable, 'ssh-option-ignored', `${variable} is not a string: ignored`)
    if (templated(raw)) return note(variable, 'template-not-evaluated', `${variable}: '${raw}' is a Jinja template, which hatang does not evaluate: ignored`, 'write the options themselves for hatang')
    let argv: string[]
    try {
      // as Ansible's _split_ssh_args: shlex.split, each word stripped, empty words dropped
      argv = shlexSplit(raw)
        .map((w) => w.trim())
        .filter(Boolean)
    } catch (error) {
      throw new AnsibleVarError(variable, `${variable} ${(error as Error).message}`)
    }
    try {
      line.args(argv, variable)
    } catch (error) {
      if (error instanceof SshOptionError) throw new AnsibleVarError(error.from, `${error.from} ${error.message}`)
      throw error
    }
  }

  sshArgs('ansible_ssh_args')
  const hostKeyChecking = pick(NAMES.hostKeyChecking)
  if (hostKeyChecking && ansibleBool(hostKeyChecking.raw) === false) {
    // Ansible then passes -o StrictHostKeyChecking=no, of no effect when ansible_ssh_args said it first
    if (line.strictHostKeyChecking) line.option('StrictHostKeyChecking=no', hostKeyChecking.variable)
    else {
      note(hostKeyChecking.variable, 'ssh-option-refused', `${hostKeyChecking.variable}: ${String(hostKeyChecking.raw)} is refused: hatang always verifies host keys`, HOST_KEY_HINT)
      line.strictHostKeyChecking = {value: 'no', from: hostKeyChecking.variable}
    }
  }
  const port = pick(NAMES.port)
  if (port?.value !== undefined) {
    const n = Number(port.value)
    if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new AnsibleVarError(port.variable, `${port.variable} must be a port number (1-65535)`)
    line.given('port', n, port.variable, `${port.variable}=${n}`)
  }
  const key = pick(NAMES.key)
  if (key?.value) line.identity(key.value, key.variable)
  const user = pick(NAMES.user)
  if (user?.value) line.given('user', user.value, user.variable, `${user.variable}=${user.value}`)
  const timeout = pick(NAMES.timeout)
  if (timeout?.value !== undefined) {
    const t = Number(timeout.value)
    if (!Number.isFinite(t) || t <= 0 || t > 86_400) throw new AnsibleVarError(timeout.variable, `${timeout.variable} must be a number of seconds (1-86400)`)
    line.given('connectTimeoutS', t, timeout.variable, `${timeout.variable}=${t}`)
  } else line.given('connectTimeoutS', undefined, ANSIBLE_TIMEOUT, '')
  sshArgs('ansible_ssh_common_args')
  sshArgs('ansible_ssh_extra_args')

  const set = <K extends keyof HostSettings>(k: K, v: FromVariable<HostSettings[K]> | undefined) => {
    if (v === undefined || v.value === undefined) return
    s[k] = v.value
    from[k] = v.from
  }
  if (line.hostname) {
    // HostName replaces the destination Ansible gives (ansible_host, else the inventory name); %h is that destination
    const destination = host?.value ?? name
    set('address', {value: line.hostname.value.replace(/%(%|h)/g, (_, t: string) => (t === 'h' ? destination : '%')), from: line.hostname.from})
  } else if (host?.value) set('address', {value: host.value, from: host.variable})
  set('port', line.port)
  set('user', line.user)
  if (line.identityFiles.length) {
    s.identityFiles = line.identityFiles.map((f) => f.value)
    from.identityFiles = line.identityFiles[0]!.from
  }
  set('knownHostsFiles', line.knownHostsFiles)
  if (line.connectTimeoutS?.value !== undefined) set('connectTimeoutS', line.connectTimeoutS as FromVariable<number>)
  const proxy = line.proxy
  if (proxy && 'jump' in proxy.value) set('proxyJump', {value: proxy.value.jump, from: proxy.from})
  else if (proxy && 'command' in proxy.value) {
    const jump = proxy.value.command.toLowerCase() === 'none' ? 'none' : jumpFromProxyCommand(proxy.value.command)
    if (jump) set('proxyJump', {value: jump, from: proxy.from})
    else
      note(proxy.from, 'ssh-option-ignored', `${proxy.from}: ProxyCommand '${proxy.value.command}' is ignored: hatang runs no proxy command, and connects directly`, "write the jump as '-J [user@]host[:port]' (or -o ProxyJump=…) if it is one")
  }
  notes.push(...describe(line.notes))
  return {settings: s, from, identityFrom: line.identityFiles.map((f) => f.from), notes}
}

/** Where the ConnectTimeout Ansible always passes comes from when the inventory does not set it. */
const ANSIBLE_TIMEOUT = "Ansible's own ConnectTimeout"

/** The notes of the ssh command line as warnings: ignored options listed together per variable, the rest one by one. */
function describe(notes: readonly SshOptionNote[]): VariableNote[] {
  const out: VariableNote[] = []
  const ignored = new Map<string, string[]>()
  for (const n of notes) {
    if (n.code === 'ignored') {
      const list = ignored.get(n.from)
      if (list) list.push(n.option)
      else ignored.set(n.from, [n.option])
    } else if (n.code === 'refused')
      out.push({variable: n.from, code: 'ssh-option-refused', message: `${n.from}: ${n.option} is refused: hatang always verifies host keys against known_hosts`, hint: HOST_KEY_HINT})
    else if (n.code === 'per-sweep')
      out.push({variable: n.from, code: 'ssh-option-per-sweep', message: `${n.from}: ${n.option} is not applied per host`, hint: 'sweep with --accept-new to record the keys of hosts never seen before'})
    else if (n.code === 'no-effect' && n.from !== ANSIBLE_TIMEOUT) {
      const kept = n.kept!
      const what =
        kept.from === ANSIBLE_TIMEOUT
          ? "Ansible's own ConnectTimeout (ansible_ssh_timeout, default 10 s), which comes before it"
          : `${describeValue(kept.value)} from ${kept.from}`
      out.push({
        variable: n.from,
        code: 'ssh-option-no-effect',
        message: `${n.option.startsWith(`${n.from}=`) ? n.option : `${n.from}: ${n.option}`} has no effect: ssh keeps the first value it is given, ${what}; so does hatang`,
        ...(kept.from === ANSIBLE_TIMEOUT ? {hint: 'set ansible_ssh_timeout instead'} : {}),
      })
    }
  }
  for (const [variable, options] of ignored)
    out.push({variable, code: 'ssh-option-ignored', message: `${variable}: ${options.join(', ')} ${options.length === 1 ? 'is' : 'are'} ignored: hatang has no equivalent`})
  return out
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(' ')
  if (v !== null && typeof v === 'object') return 'jump' in v ? `ProxyJump ${(v as {jump: string}).jump}` : 'a ProxyCommand'
  return String(v as string | number)
}
