import {shQuote} from '../../src/model/shell-quote.js'
import {DEFAULT_AUTHORIZED_KEYS_FILES, type AccessData, type AuthorizedKey} from '../../src/model/sections/access.js'
import {isLoginShell} from '../kit/login-shell.js'
import {maskSecretArguments} from '../kit/secret-arguments.js'
import {ParseError} from '../kit/parse-error.js'
import {lines, toInt} from '../kit/probe-helpers.js'
import {publicKeyFacts} from '../kit/ssh-public-key.js'

/**
 * AuthorizedKeysFile as sshd_config says it outside Match blocks: the first one, reading the drop-ins where an
 * `Include …sshd_config.d…` line stands (Debian's layout); nothing printed when no line sets it.
 */
const SSHD_AWK = String.raw`function scan(f,   line, k, v, n, i, parts) {
  while ((getline line < f) > 0) {
    sub(/^[ \t]+/, "", line)
    if (line == "" || line ~ /^#/) continue
    k = tolower(line); sub(/[ \t=].*$/, "", k)
    v = line; sub(/^[^ \t=]+[ \t]*=?[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
    if (k == "match") break
    if (k == "include" && v ~ /sshd_config\.d/) { n = split(inc, parts, " "); for (i = 1; i <= n; i++) if (!(parts[i] in done)) { done[parts[i]] = 1; scan(parts[i]) } }
    if (k == "authorizedkeysfile" && !found) { found = 1; akf = v }
  }
  close(f)
}
`

/** `S` shells, `U` accounts (name, uid, home, shell) and `P` the key files each would have (name, home, path: %h %u %U %% expanded). */
const USERS_AWK = SSHD_AWK + String.raw`BEGIN { if (main != "") scan(main); if (!found) akf = dflt; print "A\t" akf }
FILENAME == "/etc/shells" { if ($0 ~ /^\//) print "S\t" $0; next }
NF >= 7 && $1 != "" && $1 !~ /^[+-]/ && $3 ~ /^[0-9]+$/ {
  print "U\t" $1 "\t" $3 "\t" $6 "\t" $7
  n = split(akf, pats, /[ \t]+/)
  for (i = 1; i <= n; i++) {
    p = pats[i]; if (p == "" || p == "none") continue
    out = ""
    while ((j = index(p, "%")) > 0) {
      c = substr(p, j + 1, 1)
      out = out substr(p, 1, j - 1) (c == "h" ? $6 : c == "u" ? $1 : c == "U" ? $3 : c == "%" ? "%" : "%" c)
      p = substr(p, j + 2)
    }
    out = out p
    if (out !~ /^\//) out = ($6 ~ /\/$/ ? $6 : $6 "/") out
    print "P\t" $1 "\t" $6 "\t" out
  }
}`

/** Key lines of the readable files (at most 1000 a file, 16 KiB a line, 2 MB in all): `K`, file, line number, text. */
const KEYS_AWK = String.raw`FNR <= 1000 && $0 !~ /^[ \t]*(#|$)/ { l = substr($0, 1, 16384); if ((total += length(l)) > 2000000) exit; print "K\t" FILENAME "\t" FNR "\t" l }`

/**
 * One part of the access command (it returns, kit/command-parts.ts): the AuthorizedKeysFile patterns, every account of /etc/passwd with the key files it would have,
 * `F` (read) or `D` (exists or may exist but cannot be read: the home or .ssh is closed to this user) per file,
 * then the files' key lines. Only shell tests and two awk processes; nothing is written. The key lines carry the public
 * keys: the controller keeps their fingerprints and drops the keys.
 */
export const AUTHORIZED_KEYS_COMMAND = [
  '[ -r /etc/passwd ] || return 3',
  'set --; for f in /etc/ssh/sshd_config.d/*.conf; do [ -f "$f" ] && set -- "$@" "$f"; done',
  'inc="$*"; main=; [ -r /etc/ssh/sshd_config ] && main=/etc/ssh/sshd_config',
  'set -- /etc/passwd; [ -r /etc/shells ] && set -- /etc/shells "$@"',
  `awk -F: -v main="$main" -v inc="$inc" -v dflt=${shQuote(DEFAULT_AUTHORIZED_KEYS_FILES.join(' '))} ${shQuote(USERS_AWK)} "$@" | {`,
  '  set --; seen=',
  "  while IFS='\t' read -r k a b c d; do",
  '    case $k in',
  '    A|S) printf "%s\\t%s\\n" "$k" "$a" ;;',
  '    U) printf "U\\t%s\\t%s\\t%s\\t%s\\n" "$a" "$b" "$c" "$d" ;;',
  '    P) dir=${c%/*}',
  '      if [ -f "$c" ]; then',
  '        if [ -r "$c" ]; then printf "F\\t%s\\t%s\\n" "$a" "$c"; case $seen in *"|$c|"*) ;; *) seen="$seen|$c|"; set -- "$@" "$c" ;; esac',
  '        else printf "D\\t%s\\t%s\\n" "$a" "$c"; fi',
  '      elif { [ -d "$b" ] && [ ! -x "$b" ]; } || { [ -d "$dir" ] && [ ! -x "$dir" ]; }; then printf "D\\t%s\\t%s\\n" "$a" "$c"',
  '      fi ;;',
  '    esac',
  '  done',
  `  [ $# -eq 0 ] || awk ${shQuote(KEYS_AWK)} "$@"`,
  '}',
  'return 0',
].join('\n')

export interface KeyFilesListing {
  patterns: string[]
  /** undefined when /etc/shells could not be read. */
  shells?: Set<string>
  users: {name: string; uid: number; home: string; shell: string}[]
  /** Per account, its key files: read, or denied. */
  files: {user: string; path: string; read: boolean}[]
  keyLines: {file: string; line: number; text: string}[]
}

/** Parses the output of AUTHORIZED_KEYS_COMMAND. */
export function parseKeyFilesListing(text: string): KeyFilesListing {
  const out: KeyFilesListing = {patterns: [], users: [], files: [], keyLines: []}
  let sawPatterns = false
  for (const [i, raw] of lines(text).entries()) {
    if (raw === '') continue
    const f = raw.split('\t')
    const tag = f[0]
    if (tag === 'A' && f.length === 2) {
      sawPatterns = true
      out.patterns = f[1]!.trim().split(/\s+/).filter(Boolean)
    } else if (tag === 'S' && f.length === 2) (out.shells ??= new Set()).add(f[1]!)
    else if (tag === 'U' && f.length === 5) {
      const uid = toInt(f[2])
      if (uid === undefined || uid < 0) throw new ParseError('expected a uid', i + 1)
      out.users.push({name: f[1]!, uid, home: f[3]!, shell: f[4]!})
    } else if ((tag === 'F' || tag === 'D') && f.length === 3) out.files.push({user: f[1]!, path: f[2]!, read: tag === 'F'})
    else if (tag === 'K' && f.length >= 4) {
      const n = toInt(f[2])
      if (n === undefined || n < 1) throw new ParseError('expected a line number', i + 1)
      out.keyLines.push({file: f[1]!, line: n, text: f.slice(3).join('\t')})
    } else throw new ParseError(`unexpected line: ${JSON.stringify(raw.slice(0, 40))}`, i + 1)
  }
  if (!sawPatterns) throw new ParseError('no AuthorizedKeysFile line')
  return out
}

const KEY_TYPE = /^(?:ssh-[a-z0-9]+|ecdsa-sha2-[a-z0-9]+|sk-[a-z0-9-]+@openssh\.com|[a-z0-9-]+-cert-v01@openssh\.com)$/

export interface KeyLine {
  options: {name: string; value?: string}[]
  type: string
  base64: string
  comment?: string
}

/** Splits at unquoted occurrences of `sep` (a regexp of one character); `"…"` quotes, with `\"` inside. */
function splitUnquoted(text: string, sep: RegExp, limit = Infinity): string[] {
  const parts: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted && ch === '\\' && text[i + 1] === '"') {
      cur += '\\"'
      i++
    } else if (ch === '"') {
      quoted = !quoted
      cur += ch
    } else if (!quoted && sep.test(ch) && parts.length < limit) {
      parts.push(cur)
      cur = ''
    } else cur += ch
  }
  parts.push(cur)
  return parts
}

/** One authorized_keys line: options, key type, base64 key and comment (sshd(8) AUTHORIZED_KEYS FILE FORMAT); undefined when it is none. */
export function parseKeyLine(text: string): KeyLine | undefined {
  const line = text.trim()
  let optionText = ''
  let rest = line
  if (!KEY_TYPE.test(line.split(/\s/, 1)[0]!)) {
    const [opts, after] = splitUnquoted(line, /[ \t]/, 1)
    optionText = opts!
    rest = (after ?? '').trim()
  }
  const m = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(rest)
  if (!m || !KEY_TYPE.test(m[1]!)) return undefined
  const options = optionText === '' ? [] : splitUnquoted(optionText, /,/).filter(Boolean).map((o) => {
    const eq = o.indexOf('=')
    if (eq < 0) return {name: o.toLowerCase()}
    const name = o.slice(0, eq).toLowerCase()
    let value = o.slice(eq + 1)
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replaceAll('\\"', '"')
    return {name, value: name === 'command' || name === 'environment' ? maskSecretArguments(value) : value}
  })
  const comment = m[3]?.trim().slice(0, 100)
  return {options, type: m[1]!, base64: m[2]!, ...(comment ? {comment} : {})}
}

/**
 * Accounts and keys from the listing: accounts with a login shell or with keys; keys by fingerprint, never the key.
 * A line that is no key, or whose key does not decode, is skipped as sshd skips it.
 */
export function authorizedKeys(listing: KeyFilesListing): Pick<AccessData, 'authorizedKeysFiles' | 'accounts' | 'keys'> {
  const byFile = new Map<string, KeyFilesListing['keyLines']>()
  for (const k of listing.keyLines) byFile.set(k.file, [...(byFile.get(k.file) ?? []), k])
  const keys: AuthorizedKey[] = []
  const accounts: AccessData['accounts'] = []
  for (const u of listing.users) {
    const files = listing.files.filter((f) => f.user === u.name)
    const read = files.filter((f) => f.read).map((f) => f.path)
    const denied = files.some((f) => !f.read)
    let count = 0
    for (const path of read) {
      for (const l of byFile.get(path) ?? []) {
        const parsed = parseKeyLine(l.text)
        const facts = parsed && publicKeyFacts(parsed.base64)
        if (!parsed || !facts) continue
        count++
        keys.push({
          name: `${path}:${l.line}`,
          user: u.name,
          file: path,
          line: l.line,
          type: parsed.type,
          ...(facts.type === parsed.type && facts.bits !== undefined ? {bits: facts.bits} : {}),
          fingerprint: facts.fingerprint,
          ...(parsed.comment ? {comment: parsed.comment} : {}),
          options: parsed.options,
        })
      }
    }
    const loginShell = isLoginShell(u.shell, listing.shells)
    if (!loginShell && count === 0) continue
    accounts.push({name: u.name, uid: u.uid, home: u.home, loginShell, files: read, ...(denied ? {needsRoot: true} : {keyCount: count})})
  }
  return {authorizedKeysFiles: listing.patterns, accounts, keys}
}
