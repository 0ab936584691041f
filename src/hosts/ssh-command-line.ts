import {parseProxyJump} from './proxy-jump.js'
import {splitSshLine} from './ssh-config.js'

/** ssh's command-line options (the getopt string of OpenSSH 9's ssh.c): those that take a value, and the rest. */
const TAKES_VALUE = new Set('bceilmopBDEFIJLOPQRSWw')
const FLAG = new Set('1246afgknqstvxACGKMNTVXYy')

/** A value and the inventory variable whose arguments gave it. */
export interface FromVariable<T> {
  value: T
  from: string
}

/**
 * What hatang says about an option it was given: `ignored` (no equivalent in hatang), `refused` (it would weaken
 * host key checking), `no-effect` (ssh keeps an earlier value, so it never applied under Ansible either),
 * `per-sweep` (hatang has it for a whole sweep, not per host).
 */
export interface SshOptionNote {
  code: 'ignored' | 'refused' | 'no-effect' | 'per-sweep'
  from: string
  /** The option as written, e.g. `-o ServerAliveInterval=30`. */
  option: string
  /** For no-effect: the value ssh keeps instead, and where it came from (its value undefined: Ansible's own). */
  kept?: FromVariable<unknown>
}

/** An option ssh itself would stop at (`Bad port`, two -J…): the host cannot be reached as written. */
export class SshOptionError extends Error {
  constructor(
    readonly from: string,
    message: string,
  ) {
    super(message)
  }
}

/** `30`, `1m30s`, `2h`: OpenSSH's convtime, in seconds; undefined when malformed. */
function convtime(text: string): number | undefined {
  if (!/^(\d+[sSmMhHdDwW]?)+$/.test(text)) return undefined
  const unit: Record<string, number> = {s: 1, m: 60, h: 3600, d: 86_400, w: 604_800}
  let total = 0
  for (const [, n, u] of text.matchAll(/(\d+)([a-zA-Z]?)/g)) total += Number(n) * (u ? unit[u.toLowerCase()]! : 1)
  return total
}

/** `ssh -W %h:%p [-q] [-p N] [-l user] [user@]hop` as a ProxyCommand is a jump through hop; anything else is not. */
export function jumpFromProxyCommand(command: string): string | undefined {
  const words = command.split(/\s+/).filter(Boolean)
  if (words[0] !== 'ssh' || !words.includes('-W')) return undefined
  let port: string | undefined
  let target: string | undefined
  let user: string | undefined
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!
    if (w === '-W') {
      if (!/^(\[?%h\]?):%p$/.test(words[++i] ?? '')) return undefined
    } else if (w === '-p') port = words[++i]
    else if (w === '-l') user = words[++i]
    else if (w === '-q') continue
    else if (w.startsWith('-')) return undefined // anything more is not a plain jump
    else if (target === undefined) target = w
    else return undefined
  }
  if (!target) return undefined
  return `${user && !target.includes('@') ? `${user}@` : ''}${target}${port ? `:${port}` : ''}`
}

/**
 * The options ssh ends up with from a command line, read as ssh reads it: getopt letters (`-p 22`, `-oPort=22`,
 * `-qC`), `-o` lines as ssh_config lines (`Key=value`, `Key value`, quotes), and the first value of an option
 * kept (IdentityFile accumulates; ProxyJump and ProxyCommand: the first of them). Feed it arguments in the order
 * of the command line; each batch names the inventory variable it came from.
 */
export class SshCommandLine {
  hostname?: FromVariable<string>
  port?: FromVariable<number>
  user?: FromVariable<string>
  readonly identityFiles: FromVariable<string>[] = []
  knownHostsFiles?: FromVariable<string[]>
  /** value undefined: a timeout hatang does not know (Ansible's own default), which still comes first. */
  connectTimeoutS?: FromVariable<number | undefined>
  /** As written; hatang always verifies host keys, so only `no` (refused) and `accept-new` (per sweep) are remarked on. */
  strictHostKeyChecking?: FromVariable<string>
  /** A jump (`none` for none) or a command, whichever ssh was given first. */
  proxy?: FromVariable<{jump: string} | {command: string}>
  readonly notes: SshOptionNote[] = []

  /** Command-line arguments (already split as Ansible splits them). */
  args(argv: readonly string[], from: string): void {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!
      if (arg === '--' || !arg.startsWith('-') || arg === '-')
        throw new SshOptionError(from, `has '${arg}', which is not an option: ssh would take it as the host to connect to`)
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!
        if (FLAG.has(letter)) {
          this.notes.push({code: 'ignored', from, option: `-${letter}`})
          continue
        }
        if (!TAKES_VALUE.has(letter)) throw new SshOptionError(from, `has '-${letter}', which ssh does not know (it would stop with "unknown option")`)
        let value = arg.slice(j + 1)
        if (!value) {
          if (i + 1 >= argv.length) throw new SshOptionError(from, `has '-${letter}' without its value`)
          value = argv[++i]!
        }
        this.letter(letter, value, from)
        break
      }
    }
  }

  private letter(letter: string, value: string, from: string): void {
    switch (letter) {
      case 'o':
        return this.option(value, from)
      case 'p':
        return this.setPort(value, from, `-p ${value}`)
      case 'l':
        return this.first('user', value, from, `-l ${value}`)
      case 'i':
        this.identityFiles.push({value, from})
        return
      case 'J':
        if (this.proxy?.value && 'jump' in this.proxy.value) throw new SshOptionError(from, `has '-J ${value}' after a jump is already set: ssh would stop ("Only a single -J option is permitted")`)
        if (this.proxy) throw new SshOptionError(from, `has '-J ${value}' after a ProxyCommand: ssh would stop ("Cannot specify -J with ProxyCommand")`)
        return this.setJump(value, from, `-J ${value}`)
      default:
        this.notes.push({code: 'ignored', from, option: `-${letter} ${value}`})
    }
  }

  /** One `-o` line, as ssh_config reads it. */
  option(line: string, from: string): void {
    const [keyword = '', ...rest] = splitSshLine(line)
    const args = rest[0] === '=' ? rest.slice(1) : rest
    const written = `-o ${line}`
    const v = args[0]
    if (v === undefined) throw new SshOptionError(from, `has '${written}' without a value: ssh would stop`)
    switch (keyword.toLowerCase()) {
      case 'hostname':
        return this.first('hostname', v, from, written)
      case 'port':
        return this.setPort(v, from, written)
      case 'user':
        return this.first('user', v, from, written)
      case 'identityfile':
        this.identityFiles.push({value: v, from})
        return
      case 'userknownhostsfile': {
        if (this.knownHostsFiles) return this.noEffect(from, written, this.knownHostsFiles)
        // files that verify nothing are refused, as if not written: the next value, or known_hosts, applies
        const kept = args.filter((f) => f !== '/dev/null' && f.toLowerCase() !== 'none')
        if (kept.length < args.length) this.notes.push({code: 'refused', from, option: written})
        if (kept.length) this.knownHostsFiles = {value: kept, from}
        return
      }
      case 'stricthostkeychecking': {
        if (this.strictHostKeyChecking) return this.noEffect(from, written, this.strictHostKeyChecking)
        this.strictHostKeyChecking = {value: v, from}
        const mode = v.toLowerCase()
        if (['no', 'off', 'false'].includes(mode)) this.notes.push({code: 'refused', from, option: written})
        else if (mode === 'accept-new') this.notes.push({code: 'per-sweep', from, option: written})
        return // yes/ask: hatang verifies host keys anyway
      }
      case 'connecttimeout': {
        if (v.toLowerCase() === 'none') return
        const s = convtime(v)
        if (s === undefined) throw new SshOptionError(from, `has '${written}', which is not a time: ssh would stop ("invalid time value")`)
        if (s === 0) {
          this.notes.push({code: 'ignored', from, option: written})
          return
        }
        return this.first('connectTimeoutS', s, from, written)
      }
      case 'proxyjump':
        return this.setJump(v, from, written)
      case 'proxycommand':
        if (this.proxy) this.noEffect(from, written, this.proxy)
        else this.proxy = {value: {command: args.join(' ')}, from}
        return
      default:
        this.notes.push({code: 'ignored', from, option: written})
    }
  }

  /** A value given outside the arguments (Ansible's `-o Port=` from ansible_port…), with the same rule: the first is kept. */
  given<K extends keyof FirstWins>(key: K, value: FirstWins[K], from: string, written: string): void {
    this.first(key, value, from, written)
  }

  /** An identity file given outside the arguments (ansible_ssh_private_key_file). */
  identity(file: string, from: string): void {
    this.identityFiles.push({value: file, from})
  }

  private setPort(text: string, from: string, written: string): void {
    const port = Number(text)
    if (!/^\d+$/.test(text) || port < 1 || port > 65_535) throw new SshOptionError(from, `has '${written}', which is not a port (1-65535): ssh would stop ("Bad port")`)
    this.first('port', port, from, written)
  }

  private setJump(value: string, from: string, written: string): void {
    try {
      parseProxyJump(value)
    } catch (error) {
      throw new SshOptionError(from, `has '${written}', which ${(error as Error).message}: ssh would stop ("Invalid ProxyJump")`)
    }
    if (this.proxy) this.noEffect(from, written, this.proxy)
    else this.proxy = {value: {jump: value}, from}
  }

  /** Sets an option unless ssh already has a value for it (then the later one has no effect). */
  private first<K extends keyof FirstWins>(key: K, value: FirstWins[K], from: string, written: string): void {
    const had = this[key]
    if (had) this.noEffect(from, written, had)
    else this[key] = {value, from} as this[K]
  }

  private noEffect(from: string, written: string, kept: FromVariable<unknown>): void {
    this.notes.push({code: 'no-effect', from, option: written, kept})
  }
}

/** The options of which ssh keeps the first value. */
interface FirstWins {
  hostname: string
  port: number
  user: string
  knownHostsFiles: string[]
  connectTimeoutS: number | undefined
}
