import type {AccessData, SudoRule} from '../../src/model/sections/access.js'
import type {NumberedFile} from '../kit/numbered-files.js'
import {maskSecretArguments} from '../kit/secret-arguments.js'

const SUDOERS = '/etc/sudoers'
const SUDOERS_D = '/etc/sudoers.d'

/**
 * /etc/sudoers and the files of /etc/sudoers.d as numberedFilesCommand prints them (`!file`, `N:text`, `!denied`),
 * by one awk over the readable ones (at most 20000 lines); returns 3 when sudo's file does not exist (a part of the access command).
 */
export const SUDOERS_COMMAND = [
  `[ -e ${SUDOERS} ] || return 3`,
  'set --',
  `for f in ${SUDOERS} ${SUDOERS_D}/*; do [ -f "$f" ] || continue; if [ -r "$f" ]; then set -- "$@" "$f"; else echo "!denied $f"; fi; done`,
  `[ $# -eq 0 ] || awk 'FNR == 1 { print "!file " FILENAME } NR > 20000 { exit } { print FNR ":" $0 }' "$@"`,
].join('\n')

/** A local account as /etc/passwd has it: whether its shell lets it log in. */
export interface LocalAccount {
  name: string
  uid: number
  loginShell: boolean
}

const TAGS = /^(NOPASSWD|PASSWD|NOEXEC|EXEC|SETENV|NOSETENV|LOG_INPUT|NOLOG_INPUT|LOG_OUTPUT|NOLOG_OUTPUT|MAIL|NOMAIL|FOLLOW|NOFOLLOW|INTERCEPT|NOINTERCEPT):\s*/
const OPTION_SPEC = /^(ROLE|TYPE|CWD|CHROOT|NOTBEFORE|NOTAFTER|TIMEOUT|APPARMOR_PROFILE|PRIVS|LIMITPRIVS)=\S+\s*/
const ALIAS = /^(User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias|Cmd_Alias)\s+(.*)$/
const ALIAS_NAME = /^[A-Z][A-Z0-9_]*$/

/** Logical lines of a file: continuation lines joined, comments dropped (`#include` kept; `#123` is a uid). */
function logicalLines(file: NumberedFile): {line: number; text: string}[] {
  const out: {line: number; text: string}[] = []
  let pending: {line: number; text: string} | undefined
  for (const {n, text} of file.lines ?? []) {
    const joined = pending ? {line: pending.line, text: `${pending.text} ${text.trim()}`} : {line: n, text}
    if (/\\$/.test(joined.text)) {
      pending = {line: joined.line, text: joined.text.slice(0, -1)}
      continue
    }
    pending = undefined
    let t = joined.text.trim()
    if (!/^#include(dir)?\s/.test(t)) t = t.replace(/(^|\s)#(?!\d).*$/, '').trim()
    if (t !== '') out.push({line: joined.line, text: t})
  }
  if (pending) out.push(pending)
  return out
}

/** Splits at `sep` outside parentheses and quotes, honouring backslash escapes. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = []
  let cur = ''
  let depth = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[++i]
      continue
    }
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === '(') depth++
    else if (!quoted && ch === ')') depth = Math.max(0, depth - 1)
    if (ch === sep && depth === 0 && !quoted) {
      parts.push(cur)
      cur = ''
    } else cur += ch
  }
  parts.push(cur)
  return parts.map((p) => p.trim())
}

/** A user spec's host specs: `:` separates them where a host list and `=` follow (not a tag's colon, not a digest's). */
function hostSpecs(rest: string): string[] {
  const pieces = splitTop(rest, ':')
  const specs: string[] = []
  for (const p of pieces) {
    const prev = specs[specs.length - 1]
    if (prev !== undefined && (/(^|[\s,)])[A-Z_]+$/.test(prev) || !/^[^=/()"]+=(?!=)/.test(p))) specs[specs.length - 1] = `${prev}:${p}`
    else specs.push(p)
  }
  return specs
}

interface Parsed {
  aliases: Record<string, Map<string, string[]>>
  /** `!authenticate` set by Defaults: the last global one, and the last per user-list member. */
  globalNoAuth?: boolean
  userNoAuth: Map<string, boolean>
  specs: {who: string[]; rest: string; file: string; line: number}[]
  files: string[]
  notRead: string[]
}

function expand(aliases: Map<string, string[]>, list: string[], depth = 0): string[] {
  const out: string[] = []
  for (const raw of list) {
    const neg = raw.startsWith('!')
    const name = neg ? raw.slice(1).trim() : raw
    const members = ALIAS_NAME.test(name) && name !== 'ALL' ? aliases.get(name) : undefined
    if (members && depth < 8) out.push(...expand(aliases, members, depth + 1).map((m) => (neg ? (m.startsWith('!') ? m.slice(1) : `!${m}`) : m)))
    else out.push(raw)
  }
  return out
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1)

function readAll(files: readonly NumberedFile[]): Parsed {
  const r: Parsed = {aliases: {User_Alias: new Map(), Runas_Alias: new Map(), Host_Alias: new Map(), Cmnd_Alias: new Map()}, userNoAuth: new Map(), specs: [], files: [], notRead: []}
  const byPath = new Map(files.map((f) => [f.path, f]))
  // sudo reads /etc/sudoers.d's files in name order, skipping names with a dot or ending in ~
  const dropins = files.filter((f) => f.path.startsWith(`${SUDOERS_D}/`) && !/[.~]/.test(basename(f.path))).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const visited = new Set<string>()
  const read = (file: NumberedFile, depth: number) => {
    if (visited.has(file.path) || depth > 8) return
    visited.add(file.path)
    if (!file.lines) {
      r.notRead.push(file.path)
      return
    }
    r.files.push(file.path)
    for (const {line, text} of logicalLines(file)) {
      const inc = /^[@#](include|includedir)\s+(.+)$/.exec(text)
      if (inc) {
        const target = inc[2]!.trim().replace(/^"(.*)"$/, '$1').replace(/\/+$/, '')
        if (inc[1] === 'includedir' && target === SUDOERS_D) for (const d of dropins) read(d, depth + 1)
        else if (inc[1] === 'include' && byPath.has(target) && target.startsWith(`${SUDOERS_D}/`)) read(byPath.get(target)!, depth + 1)
        else if (!r.notRead.includes(target)) r.notRead.push(target)
        continue
      }
      const alias = ALIAS.exec(text)
      if (alias) {
        const kind = alias[1] === 'Cmd_Alias' ? 'Cmnd_Alias' : alias[1]!
        for (const def of splitTop(alias[2]!, ':')) {
          const eq = def.indexOf('=')
          if (eq > 0) r.aliases[kind]!.set(def.slice(0, eq).trim(), splitTop(def.slice(eq + 1), ',').filter(Boolean))
        }
        continue
      }
      const defaults = /^Defaults(?:([:@>!])\s*(\S+))?\s+(.*)$/.exec(text)
      if (defaults) {
        for (const param of splitTop(defaults[3]!, ',')) {
          const m = /^(!*)\s*authenticate$/.exec(param)
          if (!m) continue
          const noAuth = m[1]!.length % 2 === 1
          // Defaults@host, >runas and !command narrow where it applies: counted as applying everywhere (the worse case)
          if (defaults[1] === ':') for (const u of expand(r.aliases.User_Alias!, splitTop(defaults[2]!, ','))) r.userNoAuth.set(u, noAuth)
          else r.globalNoAuth = noAuth
        }
        continue
      }
      const spec = /^(\S+(?:\s*,\s*\S+)*)\s+(\S.*=.*)$/.exec(text.replace(/\s*,\s*/g, ','))
      if (spec) r.specs.push({who: expand(r.aliases.User_Alias!, spec[1]!.split(',').filter(Boolean)), rest: spec[2]!, file: file.path, line})
    }
  }
  const main = byPath.get(SUDOERS)
  if (main) read(main, 0)
  return r
}

function isForPeople(who: string[], accounts: readonly LocalAccount[] | undefined): boolean {
  return who.some((w) => {
    if (w.startsWith('!')) return false
    if (w === 'ALL' || w.startsWith('%') || w.startsWith('+')) return true
    const account = w.startsWith('#') ? accounts?.find((a) => `#${a.uid}` === w) : accounts?.find((a) => a.name === w)
    return account === undefined || account.loginShell
  })
}

/**
 * The rules of sudoers as sudo reads them: /etc/sudoers, /etc/sudoers.d where an includedir names it, aliases
 * expanded, per command its run-as list and whether a password is asked (a NOPASSWD or PASSWD tag carries to the
 * following commands of the rule; without one, `Defaults !authenticate` for the rule's users or for all decides).
 * Includes outside /etc/sudoers.d are not read: they are listed in notRead. `accounts` (from /etc/passwd) decides
 * which rules are for people; undefined: every named user counts as a person.
 */
export function parseSudoers(files: readonly NumberedFile[], accounts?: readonly LocalAccount[]): NonNullable<AccessData['sudo']> {
  const p = readAll(files)
  const rules: SudoRule[] = []
  for (const spec of p.specs) {
    const noAuthDefault = spec.who.map((w) => p.userNoAuth.get(w)).find((v) => v !== undefined) ?? p.globalNoAuth ?? false
    const hosts: string[] = []
    const commands: SudoRule['commands'] = []
    for (const hs of hostSpecs(spec.rest)) {
      const eq = hs.indexOf('=')
      if (eq <= 0) continue
      hosts.push(...expand(p.aliases.Host_Alias!, splitTop(hs.slice(0, eq), ',').filter(Boolean)))
      let runAs: string | undefined
      let tagged: boolean | undefined
      for (let c of splitTop(hs.slice(eq + 1), ',')) {
        for (;;) {
          const ra = /^\(([^)]*)\)\s*/.exec(c)
          const opt = OPTION_SPEC.exec(c)
          const tag = TAGS.exec(c)
          if (ra) runAs = ra[1]!.trim()
          else if (tag) {
            if (tag[1] === 'NOPASSWD') tagged = true
            else if (tag[1] === 'PASSWD') tagged = false
          } else if (!opt) break
          c = c.slice((ra ?? tag ?? opt)![0].length)
        }
        if (c === '') continue
        for (const command of expand(p.aliases.Cmnd_Alias!, [c])) {
          commands.push({command: maskSecretArguments(command), ...(runAs !== undefined ? {runAs} : {}), noPassword: tagged ?? noAuthDefault})
        }
      }
    }
    rules.push({name: `${spec.file}:${spec.line}`, who: spec.who, forPeople: isForPeople(spec.who, accounts), hosts, commands, file: spec.file, line: spec.line})
  }
  return {installed: true, files: p.files, rules, ...(p.notRead.length ? {notRead: p.notRead} : {allRead: true as const})}
}
