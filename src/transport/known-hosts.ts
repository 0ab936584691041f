import {createHmac, randomBytes} from 'node:crypto'

import {
  checkHostKeyBlob,
  DEFAULT_HOST_KEY_ALGORITHMS,
  fingerprintSha256,
  hostKeyTypeInfo,
  keyTypeOfAlgorithm,
} from './host-key.js'

/**
 * OpenSSH known_hosts, as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it and as OpenSSH's hostfile.c and
 * match.c behave: parsing, host matching (patterns, negation, `[host]:port`, hashed names), verification of a
 * presented host key. Pure: the messages and commands that tell a user what to do are in known-hosts-messages.ts,
 * reading and appending files in known-hosts-file.ts.
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
/** Lower-cases ASCII letters only, as OpenSSH does with host names. */
export function asciiLower(s: string): string {
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

/**
 * The names a plain host field lists, when it lists names only (no `*`, `?` or `!`): what matchPatternList
 * would match, as a set (none at all when a name reaches OpenSSH's length cap); null for a field with patterns.
 * A sweep looks up every host in every entry: with 500 hosts on file, a pattern match each cost the controller
 * ~2.5 ms a host.
 */
const namesOfField = new WeakMap<KnownHostsHosts, ReadonlySet<string> | null>()
function plainNames(hosts: KnownHostsHosts): ReadonlySet<string> | null {
  let names = namesOfField.get(hosts)
  if (names === undefined) {
    const list = asciiLower(hosts.text).split(',')
    names = /[*?!]/.test(hosts.text) ? null : list.some((n) => Buffer.byteLength(n, 'utf8') >= MAX_SUBPATTERN) ? new Set() : new Set(list)
    namesOfField.set(hosts, names)
  }
  return names
}

/**
 * Whether a hashed host field files this name (its UTF-8 bytes): the HMAC compared as bytes, and fed bytes, which
 * costs ~60 % of one fed the string. A look-up hashes its names with the salt of every hashed line on file.
 */
function hashedFiles(hosts: Extract<KnownHostsHosts, {kind: 'hashed'}>, name: Buffer): boolean {
  return createHmac('sha1', hosts.salt).update(name).digest().equals(hosts.hash)
}

/** Whether an entry's host field matches one name (already lower-cased and in `[host]:port` form). */
export function entryMatchesName(entry: Pick<KnownHostsEntry, 'hosts'>, name: string): boolean {
  if (entry.hosts.kind === 'hashed') return hashedFiles(entry.hosts, Buffer.from(name, 'utf8'))
  const names = plainNames(entry.hosts)
  return names ? names.has(name) : matchPatternList(name, entry.hosts.text) === 1
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
 * The entries filed under the target's names, revoked ones aside: what verifyHostKey and preferredHostKeyAlgorithms
 * judge by, which a caller asking both for one host computes once and passes to each (`matched`). A hashed line
 * costs an HMAC a name: with 500 hosts hashed on file (1,500 lines) one look-up is ~3 ms of the controller's CPU.
 */
export function matchingEntries(entries: readonly KnownHostsEntry[], target: HostKeyTarget): KnownHostsEntry[] {
  const names = lookupNames(target)
  const bytes = names.map((n) => Buffer.from(n, 'utf8')) // once, not once a hashed line
  return entries.filter((e) => {
    if (e.marker === 'revoked') return false
    const hosts = e.hosts
    return hosts.kind === 'hashed' ? bytes.some((b) => hashedFiles(hosts, b)) : matchesAny(e, names)
  })
}

/**
 * Judges a presented host key against known_hosts entries, as OpenSSH's check_host_key does: revoked wins;
 * the exact key listed for the host is trusted; another key of the same type (family: every ECDSA curve is
 * one) means the key changed; otherwise it is unknown. Only `trusted` may lead to a connection.
 * Stricter than OpenSSH on one point: a key listed @revoked is refused for every host, whatever the
 * line's host patterns say. `matched`: matchingEntries(entries, target), when the caller has it already.
 */
export function verifyHostKey(
  entries: readonly KnownHostsEntry[],
  target: HostKeyTarget,
  key: PresentedHostKey,
  matched?: readonly KnownHostsEntry[],
): HostKeyVerdict {
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

  const matching = matched ?? matchingEntries(entries, target)
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
 * `matched`: matchingEntries(entries, target), when the caller has it already.
 */
export function preferredHostKeyAlgorithms(
  entries: readonly KnownHostsEntry[],
  target: HostKeyTarget,
  available: readonly string[] = DEFAULT_HOST_KEY_ALGORITHMS,
  matched: readonly KnownHostsEntry[] = matchingEntries(entries, target),
): string[] {
  const known = new Set(matched.filter((e) => e.marker === null).map((e) => e.keyType))
  const first = available.filter((a) => known.has(keyTypeOfAlgorithm(a)))
  return [...first, ...available.filter((a) => !first.includes(a))]
}
