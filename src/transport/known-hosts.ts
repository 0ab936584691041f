import {createHmac, randomBytes} from 'node:crypto'
import {lstat, mkdir, open, readFile, unlink} from 'node:fs/promises'
import path from 'node:path'

import {
  checkHostKeyBlob,
  DEFAULT_HOST_KEY_ALGORITHMS,
  fingerprintSha256,
  hostKeyTypeInfo,
  keyTypeOfAlgorithm,
  type HostKeyTypeInfo,
} from './host-key.js'
import {shQuote} from './shell-quote.js'
import {whyNotWritten} from './why-not-written.js'

/**
 * OpenSSH known_hosts, as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it and as OpenSSH's hostfile.c and
 * match.c behave: parsing, host matching (patterns, negation, `[host]:port`, hashed names), verification of a
 * presented host key, and the messages and commands that tell a user what to do. Everything here is pure
 * except `readKnownHosts` and `appendKnownHost`.
 */

export type KnownHostsMarker = 'cert-authority' | 'revoked'

/** The host field of a line: a comma list of patterns, or one hashed name (`|1|salt|hmac`). */
export type KnownHostsHosts =
  | {kind: 'patterns'; text: string}
  | {kind: 'hashed'; text: string; salt: Buffer; hash: Buffer}

export interface KnownHostsEntry {
  file: string
  /** 1-based. */
  line: number
  marker: KnownHostsMarker | null
  hosts: KnownHostsHosts
  /** The key type name, e.g. `ssh-ed25519`; the blob names the same type (checked). */
  keyType: string
  blob: Buffer
  comment: string
}

/** A line that was skipped: where and why. */
export interface KnownHostsProblem {
  file: string
  line: number
  reason: string
  /** `file:line: reason — what next`. */
  message: string
}

export interface KnownHosts {
  entries: KnownHostsEntry[]
  problems: KnownHostsProblem[]
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

const HASH_MAGIC = '|1|'
const SHA1_LEN = 20
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function decodeBase64(text: string): Buffer | undefined {
  return text.length > 0 && BASE64.test(text) ? Buffer.from(text, 'base64') : undefined
}

/** Splits off the next field separated by spaces or tabs (OpenSSH's separators in this file). */
function nextField(s: string, from: number): {field: string; end: number} | undefined {
  let i = from
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++
  if (i >= s.length) return undefined
  let j = i
  while (j < s.length && s[j] !== ' ' && s[j] !== '\t') j++
  return {field: s.slice(i, j), end: j}
}

function parseHashedHost(text: string): KnownHostsHosts | string {
  // Exactly `|1|salt|hash`: OpenSSH treats the whole field as one hashed name, never a comma list.
  const parts = text.slice(HASH_MAGIC.length).split('|')
  if (!text.startsWith(HASH_MAGIC) || parts.length !== 2) return 'hashed host name is not |1|salt|hash'
  const salt = decodeBase64(parts[0]!)
  const hash = decodeBase64(parts[1]!)
  if (salt?.length !== SHA1_LEN) return `hashed host name has a bad salt (want ${SHA1_LEN} bytes of base64)`
  if (hash?.length !== SHA1_LEN) return `hashed host name has a bad hash (want ${SHA1_LEN} bytes of base64)`
  return {kind: 'hashed', text, salt, hash}
}

/** Parses one line; undefined for blank and comment lines, a string for a bad one. */
function parseLine(raw: string, file: string, line: number): KnownHostsEntry | string | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
  const first = nextField(text, 0)
  if (first === undefined || first.field.startsWith('#')) return undefined
  let marker: KnownHostsMarker | null = null
  let hostField = first
  if (first.field.startsWith('@')) {
    if (first.field === '@cert-authority') marker = 'cert-authority'
    else if (first.field === '@revoked') marker = 'revoked'
    else return `unknown marker ${JSON.stringify(first.field.slice(0, 40))} (only @cert-authority and @revoked exist)`
    const h = nextField(text, first.end)
    if (h === undefined) return `${first.field} with no host patterns or key`
    hostField = h
  }
  const typeField = nextField(text, hostField.end)
  if (typeField === undefined) return 'host patterns with no key'
  if (/^\d+$/.test(typeField.field)) return 'SSH protocol 1 RSA key (bits exponent modulus); not supported since OpenSSH 7.4'
  const blobField = nextField(text, typeField.end)
  if (blobField === undefined) return `${typeField.field.slice(0, 64)} key with no key data`
  const blob = decodeBase64(blobField.field)
  if (blob === undefined) return 'key data is not valid base64'
  const check = checkHostKeyBlob(blob, typeField.field)
  if (!check.ok) return check.reason
  let hosts: KnownHostsHosts | string = {kind: 'patterns', text: hostField.field}
  if (hostField.field.startsWith('|')) hosts = parseHashedHost(hostField.field)
  if (typeof hosts === 'string') return hosts
  const comment = text.slice(blobField.end).replace(/^[ \t]+|[ \t]+$/g, '')
  return {file, line, marker, hosts, keyType: check.type, blob, comment}
}

/**
 * Parses a known_hosts file. Never throws: a line OpenSSH would not use is skipped and reported with its
 * file and line number; blank lines, comments and CRLF line ends are fine.
 */
export function parseKnownHosts(text: string, file: string): KnownHosts {
  const entries: KnownHostsEntry[] = []
  const problems: KnownHostsProblem[] = []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  lines.forEach((raw, i) => {
    let parsed: KnownHostsEntry | string | undefined
    try {
      parsed = parseLine(raw, file, i + 1)
    } catch (error) {
      parsed = `unreadable line (${error instanceof Error ? error.message : String(error)})`
    }
    if (typeof parsed === 'string') {
      problems.push({file, line: i + 1, reason: parsed, message: `${file}:${i + 1}: ${parsed} — line ignored; fix or delete it`})
    } else if (parsed !== undefined) {
      entries.push(parsed)
    }
  })
  return {entries, problems}
}

// ---------------------------------------------------------------------------------------------------------
// Host names and patterns

/** ASCII-only lower case, as OpenSSH's `tolower` in the C locale. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

/** The name a host is filed under: `host` on port 22 (or 0), `[host]:port` otherwise (OpenSSH put_host_port). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 || port === 0 ? host : `[${host}]:${port}`
}

/** OpenSSH match_pattern: `*` any run of bytes, `?` one byte; on UTF-8 bytes like the C code. */
function globMatch(name: Uint8Array, pattern: Uint8Array): boolean {
  const STAR = 0x2a
  const QMARK = 0x3f
  let n = 0
  let p = 0
  let starP = -1
  let starN = 0
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === QMARK || pattern[p] === name[n])) {
      n++
      p++
    } else if (p < pattern.length && pattern[p] === STAR) {
      starP = p++
      starN = n
    } else if (starP >= 0) {
      p = starP + 1
      n = ++starN
    } else {
      return false
    }
  }
  while (p < pattern.length && pattern[p] === STAR) p++
  return p === pattern.length
}

/** OpenSSH's cap on one sub-pattern (`char sub[1024]`): a longer one makes the whole list fail to match. */
const MAX_SUBPATTERN = 1023

/**
 * OpenSSH match_pattern_list with lower-cased patterns: 1 for a positive match, -1 when a negated pattern
 * matches (which excludes the line whatever else matches), 0 for no match.
 */
export function matchPatternList(name: string, patterns: string): 1 | 0 | -1 {
  const subject = Buffer.from(name, 'utf8')
  const list = Buffer.from(asciiLower(patterns), 'utf8')
  let positive = false
  let i = 0
  while (i < list.length) {
    let negated = false
    if (list[i] === 0x21) {
      negated = true
      i++
    }
    let end = list.indexOf(0x2c, i)
    if (end < 0) end = list.length
    if (end - i >= MAX_SUBPATTERN) return 0
    const sub = list.subarray(i, end)
    i = end < list.length ? end + 1 : end
    if (globMatch(subject, sub)) {
      if (negated) return -1
      positive = true
    }
  }
  return positive ? 1 : 0
}

/** `|1|` + base64 salt + `|` + base64 HMAC-SHA1(salt, name): how `ssh-keygen -H` files a name. */
export function hashKnownHostsName(name: string, salt: Buffer = randomBytes(SHA1_LEN)): string {
  const mac = createHmac('sha1', salt).update(name, 'utf8').digest()
  return `${HASH_MAGIC}${salt.toString('base64')}|${mac.toString('base64')}`
}

/** Whether an entry's host field matches one name (already lower-cased and in `[host]:port` form). */
export function entryMatchesName(entry: Pick<KnownHostsEntry, 'hosts'>, name: string): boolean {
  if (entry.hosts.kind === 'hashed') return hashKnownHostsName(name, entry.hosts.salt) === entry.hosts.text
  return matchPatternList(name, entry.hosts.text) === 1
}

// ---------------------------------------------------------------------------------------------------------
// Verification

export interface HostKeyTarget {
  host: string
  port: number
  /** Other names the same machine is filed under (an IP address, an ssh_config HostKeyAlias). */
  aliases?: readonly string[]
}

/** The key a server presented: its blob; `type` (key type or signature algorithm) is checked against it. */
export interface PresentedHostKey {
  blob: Buffer
  type?: string
}

/** A known_hosts line, as a message shows it. */
export interface KnownKeyRef {
  file: string
  line: number
  keyType: string
  fingerprint: string
}

interface VerdictBase {
  /** The names looked up, in `[host]:port` form. */
  names: string[]
}

interface PresentedBase extends VerdictBase {
  keyType: string
  fingerprint: string
}

export type HostKeyVerdict =
  /** The presented key is listed for this host. */
  | (PresentedBase & {status: 'trusted'; match: KnownKeyRef})
  /** The presented key is listed @revoked (for any host): refuse. */
  | (PresentedBase & {status: 'revoked'; revokedAt: KnownKeyRef[]})
  /** The host is known with a key of the same type and the presented key is not among them: refuse loudly. */
  | (PresentedBase & {status: 'changed'; expected: KnownKeyRef[]})
  /**
   * No key of this type is known for the host. `otherTypes`: keys of other types known for it (a server that
   * suddenly presents another type deserves suspicion). `certAuthorityOnly`: only @cert-authority lines match.
   */
  | (PresentedBase & {status: 'unknown'; otherTypes: KnownKeyRef[]; certAuthorityOnly: boolean})
  /** The presented key or the target cannot be judged (malformed blob, bad port): refuse. */
  | (VerdictBase & {status: 'invalid'; reason: string})

function ref(e: KnownHostsEntry): KnownKeyRef {
  return {file: e.file, line: e.line, keyType: e.keyType, fingerprint: fingerprintSha256(e.blob)}
}

/** The names a target is filed under: each of host and aliases, lower-cased, in `[host]:port` form. */
export function lookupNames(target: HostKeyTarget): string[] {
  const hosts = [target.host, ...(target.aliases ?? [])].map(asciiLower).filter((h) => h !== '')
  return [...new Set(hosts.map((h) => knownHostsName(h, target.port)))]
}

function matchesAny(entry: KnownHostsEntry, names: readonly string[]): boolean {
  return names.some((n) => entryMatchesName(entry, n))
}

/**
 * Judges a presented host key against known_hosts entries, as OpenSSH's check_host_key does: revoked wins;
 * the exact key listed for the host is trusted; another key of the same type (family: every ECDSA curve is
 * one) means the key changed; otherwise it is unknown. Only `trusted` may lead to a connection.
 * Stricter than OpenSSH on one point: a key listed @revoked is refused for every host, whatever the
 * line's host patterns say.
 */
export function verifyHostKey(entries: readonly KnownHostsEntry[], target: HostKeyTarget, key: PresentedHostKey): HostKeyVerdict {
  const names = lookupNames(target)
  if (names.length === 0) return {status: 'invalid', names, reason: 'no host name to look up'}
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    return {status: 'invalid', names, reason: `port ${target.port} is not 1–65535`}
  }
  if (!Buffer.isBuffer(key.blob)) return {status: 'invalid', names, reason: 'the presented host key is not a byte buffer'}
  const check = checkHostKeyBlob(key.blob)
  if (!check.ok) return {status: 'invalid', names, reason: `the server presented a host key hatang cannot use: ${check.reason}`}
  const keyType = check.type
  if (key.type !== undefined && keyTypeOfAlgorithm(key.type) !== keyType) {
    return {status: 'invalid', names, reason: `the server announced ${key.type} but presented a ${keyType} key`}
  }
  const fingerprint = fingerprintSha256(key.blob)
  const base = {names, keyType, fingerprint}

  const revokedAt = entries.filter((e) => e.marker === 'revoked' && e.blob.equals(key.blob)).map(ref)
  if (revokedAt.length > 0) return {...base, status: 'revoked', revokedAt}

  const matching = entries.filter((e) => e.marker !== 'revoked' && matchesAny(e, names))
  const plain = matching.filter((e) => e.marker === null)
  const exact = plain.find((e) => e.blob.equals(key.blob))
  if (exact !== undefined) return {...base, status: 'trusted', match: ref(exact)}

  const family = check.info.family
  const sameFamily = plain.filter((e) => hostKeyTypeInfo(e.keyType)?.family === family)
  if (sameFamily.length > 0) return {...base, status: 'changed', expected: sameFamily.map(ref)}

  return {
    ...base,
    status: 'unknown',
    otherTypes: plain.map(ref),
    certAuthorityOnly: plain.length === 0 && matching.some((e) => e.marker === 'cert-authority'),
  }
}

/**
 * Whether `--accept-new` may record this key: only a host with no key of any type on file (like
 * StrictHostKeyChecking=accept-new, stricter in that a host known with another key type is not extended).
 */
export function acceptNewAllowed(verdict: HostKeyVerdict): boolean {
  return verdict.status === 'unknown' && verdict.otherTypes.length === 0 && !verdict.certAuthorityOnly
}

/**
 * The host key algorithms to offer, those of key types already on file for the target first (in the order
 * of `available`), the rest after: as OpenSSH's order_hostkeyalgs, so the server presents a key we can check.
 */
export function preferredHostKeyAlgorithms(
  entries: readonly KnownHostsEntry[],
  target: HostKeyTarget,
  available: readonly string[] = DEFAULT_HOST_KEY_ALGORITHMS,
): string[] {
  const names = lookupNames(target)
  const known = new Set(entries.filter((e) => e.marker === null && matchesAny(e, names)).map((e) => e.keyType))
  const first = available.filter((a) => known.has(keyTypeOfAlgorithm(a)))
  return [...first, ...available.filter((a) => !first.includes(a))]
}

// ---------------------------------------------------------------------------------------------------------
// Telling the user

export interface AcceptCommandOptions {
  /** `ssh-keyscan -t` for this key type only (a key type name such as `ssh-ed25519`). */
  keyType?: string
  /** Hash the host name as `ssh-keygen -H` would (`ssh-keyscan -H`). */
  hash?: boolean
  /** The home folder, so a file under it is written `~/…` as users expect. */
  home?: string
}

function displayPath(file: string, home: string | undefined): string {
  if (home !== undefined && home !== '' && file.startsWith(`${home.replace(/\/+$/, '')}/`)) {
    return `~/${shQuote(file.slice(home.replace(/\/+$/, '').length + 1))}`
  }
  return shQuote(file)
}

function scanArgs(host: string, port: number, options: AcceptCommandOptions): string {
  const type = options.keyType === undefined ? undefined : hostKeyTypeInfo(options.keyType)?.scanType
  return [
    'ssh-keyscan',
    ...(options.hash ? ['-H'] : []),
    ...(port === 22 ? [] : ['-p', String(port)]),
    ...(type === undefined ? [] : ['-t', type]),
    shQuote(host),
  ].join(' ')
}

/** `ssh-keyscan -p 2222 -t ed25519 127.0.0.1 | ssh-keygen -lf -`: prints the fingerprint to compare. */
export function fingerprintCommand(host: string, port: number, options: AcceptCommandOptions = {}): string {
  return `${scanArgs(host, port, {...options, hash: false})} | ssh-keygen -lf -`
}

/** `ssh-keyscan -p 2222 -t ed25519 127.0.0.1 >> ~/.ssh/known_hosts`: run after checking the fingerprint out of band. */
export function acceptCommand(host: string, port: number, knownHostsFile: string, options: AcceptCommandOptions = {}): string {
  return `${scanArgs(host, port, options)} >> ${displayPath(knownHostsFile, options.home)}`
}

/** `ssh-keygen -R '[127.0.0.1]:2222' -f ~/.ssh/known_hosts`: removes every key on file for the host. */
export function removeCommand(host: string, port: number, knownHostsFile: string, options: Pick<AcceptCommandOptions, 'home'> = {}): string {
  return `ssh-keygen -R ${shQuote(knownHostsName(asciiLower(host), port))} -f ${displayPath(knownHostsFile, options.home)}`
}

function describeKey(keyType: string, fingerprint: string): string {
  return `${hostKeyTypeInfo(keyType)?.label ?? keyType} key ${fingerprint}`
}

function at(r: KnownKeyRef): string {
  return `${r.file}:${r.line}`
}

export interface VerdictMessageContext extends HostKeyTarget {
  /** Where a user should record accepted keys (usually ~/.ssh/known_hosts). */
  knownHostsFile: string
  /** Every known_hosts file the key was looked up in (default: knownHostsFile). */
  lookedUpIn?: readonly string[]
  home?: string
}

/** `/etc/ssh/ssh_host_ed25519_key.pub`: where the host's administrator reads the key on the host. */
function hostKeyFileOnHost(keyType: string): string {
  return `/etc/ssh/ssh_host_${hostKeyTypeInfo(keyType)?.scanType ?? '*'}_key.pub`
}

/** The commands that replace the keys on file for a host by the one it presents now: remove from each file that has one, record. */
function replaceCommands(verdict: {keyType: string; expected: KnownKeyRef[]}, ctx: VerdictMessageContext): {remove: string[]; record: string} {
  const files = [...new Set(verdict.expected.map((r) => r.file))]
  return {
    remove: files.map((f) => removeCommand(ctx.host, ctx.port, f, {home: ctx.home})),
    record: acceptCommand(ctx.host, ctx.port, ctx.knownHostsFile, {home: ctx.home, keyType: verdict.keyType}),
  }
}

/**
 * The one line that says everything a log, a progress line or a summary needs about a refused host key: the
 * host, the presented key's fingerprint, the keys on file with their file:line, and the command to run. Empty
 * for `trusted`. Always the first line of describeHostKeyVerdict.
 */
export function hostKeyVerdictLine(verdict: HostKeyVerdict, ctx: VerdictMessageContext): string {
  const name = knownHostsName(asciiLower(ctx.host), ctx.port)
  switch (verdict.status) {
    case 'trusted':
      return ''
    case 'invalid':
      return `${name}: refusing to connect: ${verdict.reason}.`
    case 'revoked':
      return (
        `${name}: host key REVOKED: presented ${describeKey(verdict.keyType, verdict.fingerprint)}, marked @revoked at ${verdict.revokedAt.map(at).join(', ')}` +
        ' — never accept it: ask the host\'s administrator for its new host key'
      )
    case 'changed': {
      const {remove, record} = replaceCommands(verdict, ctx)
      return (
        `${name}: host key CHANGED: presented ${describeKey(verdict.keyType, verdict.fingerprint)}, ` +
        `known_hosts expects ${verdict.expected.map((r) => `${describeKey(r.keyType, r.fingerprint)} (${at(r)})`).join(', ')}` +
        ` — only if the host was rekeyed (check on it: ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)}): ${[...remove, record].join(' && ')}`
      )
    }
    case 'unknown': {
      const files = ctx.lookedUpIn && ctx.lookedUpIn.length > 0 ? ctx.lookedUpIn : [ctx.knownHostsFile]
      const onFile =
        verdict.otherTypes.length > 0
          ? `known_hosts has only ${verdict.otherTypes.map((r) => `${describeKey(r.keyType, r.fingerprint)} (${at(r)})`).join(', ')} for it`
          : verdict.certAuthorityOnly
            ? 'only @cert-authority lines match it (host certificates are not supported)'
            : `not in ${files.join(', ')}`
      return (
        `${name}: host key not known: presented ${describeKey(verdict.keyType, verdict.fingerprint)}, ${onFile}` +
        ` — compare it with ${fingerprintCommand(ctx.host, ctx.port, {keyType: verdict.keyType})}, then record it: ` +
        `${acceptCommand(ctx.host, ctx.port, ctx.knownHostsFile, {home: ctx.home, keyType: verdict.keyType})}` +
        (acceptNewAllowed(verdict) ? ' (or rerun with --accept-new)' : '')
      )
    }
  }
}

/**
 * What to tell the user about a verdict other than `trusted`: first hostKeyVerdictLine (all a one-line channel
 * shows), then the full explanation for a terminal: what was presented, what is on file and where, and the
 * commands to check and accept. Empty for `trusted`.
 */
export function describeHostKeyVerdict(verdict: HostKeyVerdict, ctx: VerdictMessageContext): string {
  const name = knownHostsName(asciiLower(ctx.host), ctx.port)
  const first = hostKeyVerdictLine(verdict, ctx)
  switch (verdict.status) {
    case 'trusted':
    case 'invalid':
      return first
    case 'revoked':
      return [
        first,
        `REFUSING to connect: the server presented the ${describeKey(verdict.keyType, verdict.fingerprint)},`,
        `which is marked @revoked at ${verdict.revokedAt.map(at).join(', ')}.`,
        'A revoked key must never be accepted. Ask the host\'s administrator for the new host key; do not remove the @revoked line.',
      ].join('\n')
    case 'changed': {
      const bar = '@'.repeat(59)
      const {remove, record} = replaceCommands(verdict, ctx)
      return [
        first,
        bar,
        '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
        bar,
        `${name} presented the ${describeKey(verdict.keyType, verdict.fingerprint)}`,
        'but known_hosts expects:',
        ...verdict.expected.map((r) => `  ${describeKey(r.keyType, r.fingerprint)}  (${at(r)})`),
        'Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host was reinstalled.',
        `hatang will not connect. Check the new key out of band (on the host: ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)});`,
        `if the change is expected, remove the old key:  ${remove.join(' && ')}`,
        `then record the new one:  ${record}`,
      ].join('\n')
    }
    case 'unknown': {
      const lines = [first]
      if (verdict.otherTypes.length > 0) {
        lines.push(
          `The server presented the ${describeKey(verdict.keyType, verdict.fingerprint)}; known_hosts has other key types for this host, not this one:`,
          ...verdict.otherTypes.map((r) => `  ${describeKey(r.keyType, r.fingerprint)}  (${at(r)})`),
          'A server that suddenly presents another key type may have been reconfigured, or something is in the middle.',
        )
      }
      if (verdict.certAuthorityOnly) {
        lines.push('Only @cert-authority lines match this host: hatang does not support host certificates, so each host key must be listed itself.')
      }
      lines.push(
        `Compare the fingerprint with the one the host's administrator reads on the host (ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)}),`,
        `or from here: ${fingerprintCommand(ctx.host, ctx.port, {keyType: verdict.keyType})}`,
        `If they agree, record the key: ${acceptCommand(ctx.host, ctx.port, ctx.knownHostsFile, {home: ctx.home, keyType: verdict.keyType})}`,
      )
      if (acceptNewAllowed(verdict)) lines.push('or rerun with --accept-new to record keys of hosts seen for the first time.')
      return lines.join('\n')
    }
  }
}

/**
 * A first-seen key `--accept-new` could not record: refused, since an unrecorded key would be accepted afresh
 * on every run and a changed key never noticed. First line: the host, the key, which file and why, what to do.
 */
export function describeUnrecordedKey(
  verdict: Extract<HostKeyVerdict, {status: 'unknown'}>,
  ctx: VerdictMessageContext,
  failure: {file: string; why: string},
): string {
  const name = knownHostsName(asciiLower(ctx.host), ctx.port)
  return [
    `${name}: --accept-new cannot record the host key in ${failure.file} (${failure.why}), ` +
      `so the ${describeKey(verdict.keyType, verdict.fingerprint)} is not trusted and hatang did not connect` +
      ` — make ${failure.file} writable, or set the host's knownHostsFile to a writable file, and rerun`,
    'A key accepted without being recorded would be accepted again, whatever it is, on every later run: a changed key would never be noticed.',
    `Compare the fingerprint with the one the host's administrator reads on the host (ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)}),`,
    `or from here: ${fingerprintCommand(ctx.host, ctx.port, {keyType: verdict.keyType})}`,
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------------------
// Files

/**
 * Reads and parses known_hosts files in order (as UserKnownHostsFile and GlobalKnownHostsFile). A missing file
 * is no entries; an unreadable one is a problem at line 0, never an exception.
 */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHosts> {
  const all: KnownHosts = {entries: [], problems: []}
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') continue
      const reason = `cannot read (${code ?? String(error)})`
      all.problems.push({file, line: 0, reason, message: `${file}: ${reason} — check its permissions`})
      continue
    }
    const parsed = parseKnownHosts(text, file)
    all.entries.push(...parsed.entries)
    all.problems.push(...parsed.problems)
  }
  return all
}

/** Characters that would make a host name into a pattern, a list, or break the line. */
const UNSAFE_HOST = /[\s,*?!#|@[\]\0]/u

/** A known_hosts file that could not be written: which file, and why in words (`read-only file system`). */
export class KnownHostsWriteError extends Error {
  override readonly name = 'KnownHostsWriteError'
  constructor(
    readonly file: string,
    readonly why: string,
    options?: {cause?: unknown},
  ) {
    super(`cannot write ${file}: ${why}`, options)
  }
}

/** A line recorded in a known_hosts file: its text (without newline) and its 1-based number there (as read just before). */
export interface RecordedKnownHost {
  line: string
  lineNumber: number
}

/**
 * Records a host key (for `--accept-new`, like StrictHostKeyChecking=accept-new): appends one line with
 * O_APPEND, never rewriting others' lines; creates the file 0600 and its folder 0700 when missing. Call it
 * only for a verdict that `acceptNewAllowed` allows. A file that cannot be written throws KnownHostsWriteError
 * and leaves nothing behind (a file it created is removed).
 */
export async function appendKnownHost(
  file: string,
  host: string,
  port: number,
  key: PresentedHostKey,
  options: {hash?: boolean; comment?: string} = {},
): Promise<RecordedKnownHost> {
  const name = asciiLower(host)
  if (name === '' || UNSAFE_HOST.test(name)) {
    throw new Error(`cannot record a host key for ${JSON.stringify(host)}: not a plain host name or address`)
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`cannot record a host key for port ${port}: not 1–65535`)
  const check = checkHostKeyBlob(key.blob)
  if (!check.ok) throw new Error(`cannot record the host key of ${knownHostsName(name, port)}: ${check.reason}`)
  const filed = knownHostsName(name, port)
  const hostField = options.hash ? hashKnownHostsName(filed) : filed
  const comment = options.comment?.replace(/[\r\n]+/g, ' ').trim()
  const line = `${hostField} ${check.type} ${key.blob.toString('base64')}${comment ? ` ${comment}` : ''}`

  let created = false
  try {
    await mkdir(path.dirname(path.resolve(file)), {recursive: true, mode: 0o700})
    const existed = await lstat(file).then(
      () => true,
      () => false,
    )
    const handle = await open(file, 'a+', 0o600)
    created = !existed
    try {
      // Do not glue our line onto a last line that lacks its newline.
      const text = await handle.readFile('utf8')
      const lead = text.length > 0 && !text.endsWith('\n') ? '\n' : ''
      const before = text.length === 0 ? 0 : text.split('\n').length - (lead === '' ? 1 : 0)
      await handle.write(`${lead}${line}\n`)
      await handle.sync()
      return {line, lineNumber: before + 1}
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (created) await unlink(file).catch(() => undefined) // only a file this call made
    throw new KnownHostsWriteError(file, whyNotWritten(file, error), {cause: error})
  }
}
