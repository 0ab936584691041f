import {readdirSync, readFileSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {ConfigError} from '../config/config-error.js'
import {expandHome} from './home-path.js'

/** The ssh_config settings hatang uses, as OpenSSH would obtain them for one alias (values as written). */
export interface SshHostConfig {
  hostname?: string
  user?: string
  port?: number
  /** Accumulated in order; tokens (%d %u %h %r…) and `~` left as written — see expandSshTokens. */
  identityFiles: string[]
  /** `none` is kept as written. */
  proxyJump?: string
  /** Set when a ProxyCommand came first (OpenSSH then ignores ProxyJump). */
  proxyCommand?: string
  userKnownHostsFiles?: string[]
}

interface Directive {
  keyword: string
  args: string[]
  file: string
  line: number
  /** For `include`: the directives of the included files. */
  included?: Directive[]
}

export interface SshConfigOptions {
  home?: string
  /** The local user name (%u, Match localuser, the default remote user). */
  localUser?: string
  /** Folder relative Include paths start from (~/.ssh for a user config, as OpenSSH). */
  includeBase?: string
}

/** Splits an ssh_config line into words: quotes group, `#` starts a comment, `Key=value` is accepted. */
export function splitSshLine(line: string): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  let quote: string | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = null
      else cur += c
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      inWord = true
    } else if (c === '#' && !inWord) break
    else if (/\s/.test(c) || (c === '=' && words.length === 0)) {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += c
      inWord = true
    }
  }
  if (quote) throw new Error('has an unclosed quote')
  if (inWord) words.push(cur)
  return words
}

const compiled = new Map<string, RegExp>()

/** OpenSSH's wildcard match: `*` and `?`, case-insensitive for host names. Each pattern is compiled once. */
export function wildcardMatch(text: string, pattern: string): boolean {
  if (pattern === '*') return true
  // a pattern without wildcards matches only a text of its length (asked 100,000 times for a big inventory)
  if (text.length !== pattern.length && !pattern.includes('*')) return false
  let re = compiled.get(pattern)
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i')
    compiled.set(pattern, re)
  }
  return re.test(text)
}

/** A comma list with `!` negation (Match criteria): 1 match, -1 negated match, 0 no match. */
function matchPatternList(text: string, list: string): number {
  let got = 0
  for (const raw of list.split(',')) {
    const neg = raw.startsWith('!')
    if (wildcardMatch(text, neg ? raw.slice(1) : raw)) {
      if (neg) return -1
      got = 1
    }
  }
  return got
}

/** A Host line: some positive pattern matches and no negated one does. */
export function hostLineMatches(alias: string, patterns: readonly string[]): boolean {
  let positive = false
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (wildcardMatch(alias, p.slice(1))) return false
    } else if (wildcardMatch(alias, p)) positive = true
  }
  return positive
}

/**
 * A parsed ssh_config (with its Includes), answering "what would ssh use for this alias" for the
 * settings hatang needs: HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile.
 * First obtained value wins, IdentityFile accumulates — as OpenSSH.
 */
export class SshConfig {
  private constructor(
    private readonly directives: Directive[],
    private readonly options: Required<SshConfigOptions>,
  ) {}

  static parse(text: string, file: string, options: SshConfigOptions = {}): SshConfig {
    const home = options.home ?? os.homedir()
    const full: Required<SshConfigOptions> = {
      home,
      localUser: options.localUser ?? os.userInfo().username,
      includeBase: options.includeBase ?? path.join(home, '.ssh'),
    }
    return new SshConfig(readDirectives(text, file, full, 0), full)
  }

  static load(file: string, options: SshConfigOptions = {}): SshConfig {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new ConfigError(file, 1, 1, '', `cannot be read: ${(error as Error).message}`, 'give another file with --ssh-config, or --ssh-config none')
    }
    return SshConfig.parse(text, file, options)
  }

  /** Whether a Host line names this alias literally (no wildcard), so a ProxyJump to it is meaningful. */
  knowsAlias(alias: string): boolean {
    const find = (list: Directive[]): boolean =>
      list.some((d) => (d.keyword === 'host' && d.args.some((a) => !/[*?!]/.test(a) && a.toLowerCase() === alias.toLowerCase())) || find(d.included ?? []))
    return find(this.directives)
  }

  /** Whether a Match line asks for a final pass (known once: lookup runs once per host). */
  private needsFinal?: boolean

  lookup(alias: string): SshHostConfig {
    const out: SshHostConfig = {identityFiles: []}
    const wantsFinal = (list: Directive[]): boolean =>
      list.some((d) => (d.keyword === 'match' && d.args.some((a) => /^!?(final|canonical)$/i.test(a))) || wantsFinal(d.included ?? []))
    this.needsFinal ??= wantsFinal(this.directives)
    this.pass(alias, out, false)
    if (this.needsFinal) this.pass(alias, out, true)
    return out
  }

  private pass(alias: string, out: SshHostConfig, finalPass: boolean, list: Directive[] = this.directives): void {
    let active = true
    const lower = alias.toLowerCase()
    for (const d of list) {
      if (d.keyword === 'host') {
        active = hostLineMatches(lower, d.args)
        continue
      }
      if (d.keyword === 'match') {
        active = this.matchLine(d.args, alias, out, finalPass)
        continue
      }
      if (!active) continue
      // an Include inside a block is read only when the block applies; its Host lines do not leak out
      if (d.keyword === 'include') {
        this.pass(alias, out, finalPass, d.included ?? [])
        continue
      }
      const v = d.args[0]
      if (v === undefined) continue
      switch (d.keyword) {
        case 'hostname':
          out.hostname ??= v.replace(/%(%|h)/g, (_, t: string) => (t === 'h' ? alias : '%'))
          break
        case 'user':
          out.user ??= v
          break
        case 'port':
          if (out.port === undefined && /^\d+$/.test(v)) out.port = Number(v)
          break
        case 'identityfile':
          if (!out.identityFiles.includes(v)) out.identityFiles.push(v)
          break
        case 'proxyjump':
          if (out.proxyJump === undefined && out.proxyCommand === undefined) out.proxyJump = v
          break
        case 'proxycommand':
          if (out.proxyJump === undefined && out.proxyCommand === undefined) out.proxyCommand = d.args.join(' ')
          break
        case 'userknownhostsfile':
          out.userKnownHostsFiles ??= [...d.args]
          break
      }
    }
  }

  /** Match criteria we can judge; `exec` and unknown criteria never match (a safe skip). */
  private matchLine(args: string[], alias: string, out: SshHostConfig, finalPass: boolean): boolean {
    if (args.length === 1 && args[0]!.toLowerCase() === 'all') return true
    let i = 0
    while (i < args.length) {
      let crit = args[i++]!.toLowerCase()
      const neg = crit.startsWith('!')
      if (neg) crit = crit.slice(1)
      let ok: boolean
      if (crit === 'all') ok = true
      else if (crit === 'canonical' || crit === 'final') ok = finalPass
      else {
        const arg = args[i++]
        if (arg === undefined) return false
        const host = (out.hostname ?? alias).toLowerCase()
        if (crit === 'host') ok = matchPatternList(host, arg) === 1
        else if (crit === 'originalhost') ok = matchPatternList(alias.toLowerCase(), arg) === 1
        else if (crit === 'user') ok = matchPatternList(out.user ?? this.options.localUser, arg) === 1
        else if (crit === 'localuser') ok = matchPatternList(this.options.localUser, arg) === 1
        else return false // exec, localnetwork, tagged…: not judged here, so the block is skipped
      }
      if (ok === neg) return false
    }
    return true
  }
}

function readDirectives(text: string, file: string, options: Required<SshConfigOptions>, depth: number): Directive[] {
  if (depth > 16) throw new ConfigError(file, 1, 1, '', 'has Include nested more than 16 deep', 'look for an Include that includes itself')
  const out: Directive[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    let words: string[]
    try {
      words = splitSshLine(raw)
    } catch (error) {
      throw new ConfigError(file, index + 1, 1, '', (error as Error).message, 'close the quote')
    }
    const [keyword, ...args] = words
    if (!keyword) return
    const kw = keyword.toLowerCase()
    if (kw === 'include') {
      const included: Directive[] = []
      for (const pattern of args) {
        const full = expandHome(pattern, options.home)
        const abs = path.isAbsolute(full) ? full : path.join(options.includeBase, full)
        for (const f of globFiles(abs)) included.push(...readDirectives(readFileSync(f, 'utf8'), f, options, depth + 1))
      }
      out.push({keyword: kw, args, file, line: index + 1, included})
      return
    }
    out.push({keyword: kw, args, file, line: index + 1})
  })
  return out
}

function globFiles(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) {
    try {
      return statSync(pattern).isFile() ? [pattern] : []
    } catch {
      return [] // OpenSSH ignores an Include that matches nothing
    }
  }
  const dir = path.dirname(pattern)
  const base = path.basename(pattern)
  try {
    return readdirSync(dir)
      .filter((n) => wildcardMatch(n, base))
      .sort()
      .map((n) => path.join(dir, n))
      .filter((f) => statSync(f).isFile())
  } catch {
    return []
  }
}

/** Expands ssh tokens in IdentityFile / UserKnownHostsFile values, and `~`. */
export function expandSshTokens(
  value: string,
  ctx: {home: string; localUser: string; host: string; remoteUser: string; port: number; alias: string},
): string {
  const expanded = value.replace(/%([%dhurpnl])/g, (_, t: string) => {
    switch (t) {
      case '%':
        return '%'
      case 'd':
        return ctx.home
      case 'h':
        return ctx.host
      case 'u':
        return ctx.localUser
      case 'r':
        return ctx.remoteUser
      case 'p':
        return String(ctx.port)
      case 'n':
        return ctx.alias
      default:
        return os.hostname().split('.')[0] ?? ''
    }
  })
  return expandHome(expanded, ctx.home)
}
