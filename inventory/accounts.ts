import type {Static} from '@sinclair/typebox'

import {isLoginShell} from './kit/login-shell.js'
import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, isoFromEpochSeconds, lines, succeeded, toInt} from './kit/probe-helpers.js'
import {shQuote} from '../src/model/shell-quote.js'
import {accountsSection, GroupSchema, UserSchema, type AccountsData, type PasswordStatus} from '../src/model/sections/accounts.js'

type LoginDefs = NonNullable<AccountsData['loginDefs']>

export interface AccountFiles {
  users: Omit<Static<typeof UserSchema>, 'loginShell'>[]
  groups: Static<typeof GroupSchema>[]
  /** undefined when /etc/shells does not exist. */
  shells?: string[]
  loginDefs?: LoginDefs
  /** Lines of /etc/passwd or /etc/group that were skipped, each naming its file and line: the section is then partial. */
  skipped: string[]
}

const NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/

/** An id of /etc/passwd or /etc/group: a decimal number, at most 2^32 - 2 (-1 is "no id"). */
const isId = (n: number | undefined): n is number => n !== undefined && n >= 0 && n < 4294967295

/**
 * Parses the `files` command: `user:LINE:NAME:UID:GID:HOME:SHELL`, `group:LINE:NAME:GID:MEMBERS`, `bad:FILE:LINE:FIELDS`,
 * `shell:PATH`, `def:KEY VALUE` lines, as the awk over /etc/passwd, group, shells and login.defs prints them. A
 * malformed entry (wrong number of fields, an id that is no number, no name) is skipped and named in `skipped`;
 * the others are kept.
 */
export function parseAccountFiles(text: string): AccountFiles {
  const r: AccountFiles = {users: [], groups: [], skipped: []}
  let defs: LoginDefs | undefined
  let noDefs = false
  const lineNo = (v: string | undefined, i: number) => {
    const n = toInt(v)
    if (n === undefined || n < 1) throw new ParseError('expected a line number after the tag', i + 1)
    return n
  }
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const tag = line.slice(0, line.indexOf(':'))
    const f = line.split(':')
    if (tag === 'user') {
      if (f.length !== 7) throw new ParseError('expected user:LINE:NAME:UID:GID:HOME:SHELL', i + 1)
      const at = lineNo(f[1], i)
      if (/^[+-]/.test(f[2]!)) continue // NIS compat entries
      const uid = toInt(f[3])
      const gid = toInt(f[4])
      if (f[2] === '') r.skipped.push(`/etc/passwd line ${at}: no user name`)
      else if (!isId(uid) || !isId(gid)) r.skipped.push(`/etc/passwd line ${at}: ${isId(uid) ? 'gid' : 'uid'} is not a number`)
      else r.users.push({name: f[2]!, uid, gid, home: f[5]!, shell: f[6]!})
    } else if (tag === 'group') {
      if (f.length !== 5) throw new ParseError('expected group:LINE:NAME:GID:MEMBERS', i + 1)
      const at = lineNo(f[1], i)
      if (/^[+-]/.test(f[2]!)) continue
      const gid = toInt(f[3])
      if (f[2] === '') r.skipped.push(`/etc/group line ${at}: no group name`)
      else if (!isId(gid)) r.skipped.push(`/etc/group line ${at}: gid is not a number`)
      else r.groups.push({name: f[2]!, gid, members: f[4]!.split(',').map((m) => m.trim()).filter(Boolean)})
    } else if (tag === 'bad') {
      const m = /^bad:(\/etc\/passwd|\/etc\/group):(\d+):(\d+)$/.exec(line)
      if (!m) throw new ParseError('expected bad:FILE:LINE:FIELDS', i + 1)
      r.skipped.push(`${m[1]} line ${m[2]}: ${m[3]} fields, expected ${m[1] === '/etc/passwd' ? 7 : 4}`)
    } else if (tag === 'shell') {
      r.shells ??= []
      r.shells.push(line.slice(6).trim())
    } else if (tag === 'def') {
      const m = /^def:\s*([A-Z_]+)\s+(\S+)/.exec(line)
      if (!m) throw new ParseError('expected def:KEY VALUE', i + 1)
      defs ??= {}
      const n = toInt(m[2])
      switch (m[1]) {
        case 'PASS_MAX_DAYS':
          if (n !== undefined && n >= 0) defs.passMaxDays = n
          break
        case 'PASS_MIN_DAYS':
          if (n !== undefined && n >= 0) defs.passMinDays = n
          break
        case 'PASS_WARN_AGE':
          if (n !== undefined && n >= 0) defs.passWarnAge = n
          break
        case 'UMASK':
          if (/^[0-7]{1,4}$/.test(m[2]!)) defs.umask = m[2]!
          break
        case 'ENCRYPT_METHOD':
          defs.encryptMethod = m[2]!
          break
        default:
      }
    } else if (tag === 'nodefs') {
      noDefs = true
    } else throw new ParseError('unexpected line', i + 1)
  }
  if (!noDefs) r.loginDefs = defs ?? {}
  return r
}

/** Parses the shadow awk's `NAME:STATUS:LASTCHG:MIN:MAX:WARN:INACTIVE:EXPIRE` lines (days since the epoch). */
export function parseShadowStatus(text: string): PasswordStatus[] {
  const out: PasswordStatus[] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const f = line.split(':')
    if (f.length !== 8 || !NAME.test(f[0]!)) throw new ParseError('expected NAME:STATUS:LASTCHG:MIN:MAX:WARN:INACTIVE:EXPIRE', i + 1)
    const status = f[1]!
    if (status !== 'set' && status !== 'locked' && status !== 'empty' && status !== 'none') throw new ParseError(`unknown password status ${status.slice(0, 20)}`, i + 1)
    const day = (v: string | undefined) => {
      const n = toInt(v)
      return n !== undefined && n >= 0 ? n : undefined
    }
    const last = day(f[2])
    const lastIso = last !== undefined && last > 0 ? isoFromEpochSeconds(last * 86400) : undefined
    const expire = day(f[7])
    const expIso = expire !== undefined ? isoFromEpochSeconds(expire * 86400) : undefined
    const p: PasswordStatus = {name: f[0]!, status}
    if (lastIso) p.lastChange = lastIso
    if (last === 0) p.mustChange = true
    const set = (k: 'minDays' | 'maxDays' | 'warnDays' | 'inactiveDays', v: string | undefined) => {
      const n = day(v)
      if (n !== undefined) p[k] = n
    }
    set('minDays', f[3])
    set('maxDays', f[4])
    set('warnDays', f[5])
    set('inactiveDays', f[6])
    if (expIso) p.expires = expIso
    out.push(p)
  }
  return out
}

/** Parses the sudoers awk: `rule USERLIST` and `alias NAME MEMBERS` lines; returns the principals, aliases expanded. */
export function parseSudoersPrincipals(text: string): string[] {
  const aliases = new Map<string, string[]>()
  const rules: string[][] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const m = /^(rule|alias) (\S+)(?: (\S*))?$/.exec(line)
    if (!m) throw new ParseError('expected "rule USERS" or "alias NAME MEMBERS"', i + 1)
    if (m[1] === 'alias') aliases.set(m[2]!, (m[3] ?? '').split(',').filter(Boolean))
    else rules.push(m[2]!.split(',').filter(Boolean))
  }
  const out = new Set<string>()
  const add = (token: string, depth: number) => {
    if (token.startsWith('!')) return
    const alias = aliases.get(token)
    if (alias && depth < 5) for (const t of alias) add(t, depth + 1)
    else if (!alias) out.add(token)
  }
  for (const r of rules) for (const t of r) add(t, 0)
  return [...out]
}

const ADMIN_GROUPS = ['sudo', 'wheel', 'admin']

const SHADOW_AWK = String.raw`function d(v) { return v ~ /^[0-9]*$/ ? v : "" }
NF >= 2 && $1 ~ /^[A-Za-z0-9_.][A-Za-z0-9_.-]*[$]?$/ {
  p = $2
  if (p == "") s = "empty"; else if (p ~ /^!/) s = "locked"; else if (p ~ /^[*]/ || length(p) < 13) s = "none"; else s = "set"
  print $1 ":" s ":" d($3) ":" d($4) ":" d($5) ":" d($6) ":" d($7) ":" d($8)
}`

const SUDOERS_AWK = String.raw`{
  l = $0
  if (c != "") { l = c " " l; c = "" }
  if (l ~ /\\$/) { c = substr(l, 1, length(l) - 1); next }
  sub(/^[ \t]+/, "", l)
  if (l == "" || l ~ /^#/ || l ~ /^@/) next
  sub(/[ \t]+#[^0-9].*$/, "", l)
  if (l ~ /^(Defaults|Host_Alias|Cmnd_Alias|Cmd_Alias|Runas_Alias)/) next
  gsub(/[ \t]*,[ \t]*/, ",", l)
  if (l ~ /^User_Alias[ \t]/) {
    sub(/^User_Alias[ \t]+/, "", l)
    n = split(l, parts, ":")
    for (i = 1; i <= n; i++) { q = parts[i]; gsub(/[ \t]/, "", q); k = index(q, "="); if (k > 1) print "alias " substr(q, 1, k - 1) " " substr(q, k + 1) }
    next
  }
  k = index(l, "=")
  if (k == 0) next
  split(substr(l, 1, k - 1), t, /[ \t]+/)
  if (t[1] != "") print "rule " t[1]
}`

// blank lines and NIS compat entries (+name, -name, a lone +) are not accounts; any other line of the wrong shape is named
const FILES_AWK = String.raw`FILENAME == "/etc/passwd" || FILENAME == "/etc/group" { if ($0 ~ /^[ \t]*$/ || $1 ~ /^[+-]/) next }
FILENAME == "/etc/passwd" { if (NF == 7) print "user:" FNR ":" $1 ":" $3 ":" $4 ":" $6 ":" $7; else print "bad:/etc/passwd:" FNR ":" NF; next }
FILENAME == "/etc/group" { if (NF == 4) print "group:" FNR ":" $1 ":" $3 ":" $4; else print "bad:/etc/group:" FNR ":" NF; next }
FILENAME == "/etc/shells" { if ($0 ~ /^\//) print "shell:" $0; next }
FILENAME == "/etc/login.defs" && /^[ \t]*(PASS_MAX_DAYS|PASS_MIN_DAYS|PASS_WARN_AGE|UMASK|ENCRYPT_METHOD)[ \t]/ { print "def:" $0 }`

export const accountsProbe = defineProbe({
  section: accountsSection,
  platforms: ['Linux'],
  weight: 2,
  commands: {
    files:
      '[ -r /etc/passwd ] || return 3; set --; for f in /etc/passwd /etc/group /etc/shells /etc/login.defs; do [ -r "$f" ] && set -- "$@" "$f"; done; ' +
      `[ -r /etc/login.defs ] || echo nodefs:; awk -F: ${shQuote(FILES_AWK)} "$@"`,
    shadow: `[ -e /etc/shadow ] || return 3; [ -r /etc/shadow ] || return 4; awk -F: ${shQuote(SHADOW_AWK)} /etc/shadow`,
    sudoers:
      '[ -e /etc/sudoers ] || return 3; [ -r /etc/sudoers ] || return 4; set -- /etc/sudoers; ' +
      'for f in /etc/sudoers.d/*; do case "${f##*/}" in *~|*.*) ;; *) [ -f "$f" ] && set -- "$@" "$f";; esac; done; ' +
      `awk ${shQuote(SUDOERS_AWK)} "$@"`,
  },
  // three commands, one subshell (ProbeSpec.grouped)
  grouped: true,
  interpret(out) {
    const fail = failure(out.files, '/etc/passwd')
    if (fail) return fail
    const files = parseAccountFiles(out.files!.stdout)
    const shells = files.shells ? new Set(files.shells) : undefined
    const users = files.users.map((u) => ({...u, loginShell: isLoginShell(u.shell, shells)}))
    const adminGroups = ADMIN_GROUPS.flatMap((name) => {
      const g = files.groups.find((x) => x.name === name)
      if (!g) return []
      const members = [...new Set([...g.members, ...users.filter((u) => u.gid === g.gid).map((u) => u.name)])]
      return [{name, members}]
    })
    const data: AccountsData = {
      users,
      groups: files.groups,
      uid0: users.filter((u) => u.uid === 0).map((u) => u.name),
      adminGroups,
      ...(files.loginDefs ? {loginDefs: files.loginDefs} : {}),
    }
    const missing: string[] = []
    const needRoot: string[] = []
    if (files.skipped.length > 0) missing.push(`skipped ${files.skipped.join('; ')}`)
    if (succeeded(out.shadow)) data.passwords = parseShadowStatus(out.shadow.stdout)
    else {
      const f = failure(out.shadow, '/etc/shadow')!
      if (f.reason!.endsWith('needs root')) needRoot.push('password status')
      else missing.push(f.reason!)
    }
    if (succeeded(out.sudoers)) data.sudoers = {present: true, principals: parseSudoersPrincipals(out.sudoers.stdout)}
    else {
      const f = failure(out.sudoers, '/etc/sudoers')!
      if (f.reason!.endsWith('not present')) data.sudoers = {present: false, principals: []}
      else if (f.reason!.endsWith('needs root')) needRoot.push('sudoers')
      else missing.push(f.reason!)
    }
    if (needRoot.length) missing.unshift(`needs root: ${needRoot.join(', ')}`)
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
