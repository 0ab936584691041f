import {createHash} from 'node:crypto'

/**
 * SSH public host keys as wire-format blobs (RFC 4253 §6.6): what a server presents, what a known_hosts
 * line holds in base64. Pure: type names, families, fingerprints and a structural check of the blob.
 */

/** What one plain (non-certificate) key type means to OpenSSH and to the tools a user runs. */
export interface HostKeyTypeInfo {
  /** The key type name as in known_hosts and in the blob: `ssh-ed25519`, `ecdsa-sha2-nistp256`, … */
  readonly name: string
  /**
   * OpenSSH compares types by family (`sshkey_type_plain`): every ECDSA curve is one family, so a nistp384
   * key presented where a nistp256 key is known counts as a changed key, not an unknown one.
   */
  readonly family: 'rsa' | 'dsa' | 'ecdsa' | 'ed25519' | 'ecdsa-sk' | 'ed25519-sk'
  /** As `ssh-keygen -lf` prints it in parentheses: `ED25519`, `ECDSA`, `RSA`, … */
  readonly label: string
  /** What `ssh-keyscan -t` takes. */
  readonly scanType: string
  /** Signature algorithms a client offers to get this key presented, best first. */
  readonly algorithms: readonly string[]
  /** For ECDSA: the curve named inside the blob. */
  readonly curve?: string
}

const TYPES: readonly HostKeyTypeInfo[] = [
  {name: 'ssh-ed25519', family: 'ed25519', label: 'ED25519', scanType: 'ed25519', algorithms: ['ssh-ed25519']},
  {name: 'ecdsa-sha2-nistp256', family: 'ecdsa', label: 'ECDSA', scanType: 'ecdsa', algorithms: ['ecdsa-sha2-nistp256'], curve: 'nistp256'},
  {name: 'ecdsa-sha2-nistp384', family: 'ecdsa', label: 'ECDSA', scanType: 'ecdsa', algorithms: ['ecdsa-sha2-nistp384'], curve: 'nistp384'},
  {name: 'ecdsa-sha2-nistp521', family: 'ecdsa', label: 'ECDSA', scanType: 'ecdsa', algorithms: ['ecdsa-sha2-nistp521'], curve: 'nistp521'},
  {name: 'sk-ssh-ed25519@openssh.com', family: 'ed25519-sk', label: 'ED25519-SK', scanType: 'ed25519-sk', algorithms: ['sk-ssh-ed25519@openssh.com']},
  {
    name: 'sk-ecdsa-sha2-nistp256@openssh.com',
    family: 'ecdsa-sk',
    label: 'ECDSA-SK',
    scanType: 'ecdsa-sk',
    algorithms: ['sk-ecdsa-sha2-nistp256@openssh.com'],
    curve: 'nistp256',
  },
  // ssh-rsa (SHA-1 signatures) is disabled by default since OpenSSH 8.8; an RSA key is asked for with SHA-2.
  {name: 'ssh-rsa', family: 'rsa', label: 'RSA', scanType: 'rsa', algorithms: ['rsa-sha2-512', 'rsa-sha2-256']},
  // Disabled by default since OpenSSH 7.0: never offered, still recognised so a known DSA key is reported.
  {name: 'ssh-dss', family: 'dsa', label: 'DSA', scanType: 'dsa', algorithms: []},
]

const BY_NAME = new Map(TYPES.map((t) => [t.name, t]))

/** The plain key type names hatang understands. */
export const HOST_KEY_TYPES: readonly string[] = TYPES.map((t) => t.name)

/** The host key algorithms hatang offers by default, in OpenSSH's order (certificates left out). */
export const DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] = TYPES.flatMap((t) => t.algorithms)

export function hostKeyTypeInfo(type: string): HostKeyTypeInfo | undefined {
  return BY_NAME.get(type)
}

/** The key type a signature algorithm works with: `rsa-sha2-512` → `ssh-rsa`; key type names map to themselves. */
export function keyTypeOfAlgorithm(algorithm: string): string {
  if (algorithm === 'rsa-sha2-256' || algorithm === 'rsa-sha2-512') return 'ssh-rsa'
  return algorithm
}

/** True for OpenSSH certificate key types (`…-cert-v01@openssh.com`), which hatang does not support. */
export function isCertificateType(type: string): boolean {
  return /-cert-v0[01]@openssh\.com$/.test(type)
}

/** `SHA256:` and the unpadded base64 of the blob's SHA-256, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintSha256(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** A blob that holds together, or why not. */
export type HostKeyBlobCheck = {ok: true; type: string; info: HostKeyTypeInfo} | {ok: false; reason: string}

/** Reads the SSH `string` fields of a blob; undefined when a length runs past the end. */
function readStrings(blob: Uint8Array, count: number): {fields: Buffer[]; rest: number} | undefined {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)
  const fields: Buffer[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    if (at + 4 > buf.length) return undefined
    const len = buf.readUInt32BE(at)
    at += 4
    if (len > buf.length - at) return undefined
    fields.push(buf.subarray(at, at + len))
    at += len
  }
  return {fields, rest: buf.length - at}
}

/** How many SSH `string`/`mpint` fields the public key of each family has, the type name included. */
const FIELD_COUNT: Record<HostKeyTypeInfo['family'], number> = {
  ed25519: 2, // type, public key
  rsa: 3, // type, e, n
  dsa: 5, // type, p, q, g, y
  ecdsa: 3, // type, curve, Q
  'ed25519-sk': 3, // type, public key, application
  'ecdsa-sk': 4, // type, curve, Q, application
}

/** The key type named inside a blob (its first SSH string), when there is one that reads as text. */
export function blobKeyType(blob: Uint8Array): string | undefined {
  const r = readStrings(blob, 1)
  const name = r?.fields[0]?.toString('latin1')
  return name !== undefined && /^[\x21-\x7e]{1,64}$/.test(name) ? name : undefined
}

/**
 * Checks a public key blob the way OpenSSH's parser would refuse it: a known plain key type, the expected
 * fields and nothing after them, the ECDSA curve matching the type, a 32-byte Ed25519 key. Does not check the
 * mathematics (a point on the curve): the blob is only ever compared byte for byte.
 */
export function checkHostKeyBlob(blob: Uint8Array, expectedType?: string): HostKeyBlobCheck {
  const type = blobKeyType(blob)
  if (type === undefined) return {ok: false, reason: 'key blob does not start with a key type name'}
  if (expectedType !== undefined && type !== expectedType) {
    return {ok: false, reason: `key blob is a ${type} key, the line says ${expectedType}`}
  }
  if (isCertificateType(type)) return {ok: false, reason: `${type} is a certificate; hatang does not support host certificates`}
  const info = BY_NAME.get(type)
  if (info === undefined) return {ok: false, reason: `unsupported key type ${type}`}
  const r = readStrings(blob, FIELD_COUNT[info.family])
  if (r === undefined) return {ok: false, reason: `${type} key blob is truncated`}
  if (r.rest !== 0) return {ok: false, reason: `${type} key blob has ${r.rest} trailing byte(s)`}
  if ((info.family === 'ed25519' || info.family === 'ed25519-sk') && r.fields[1]!.length !== 32) {
    return {ok: false, reason: `${type} public key is ${r.fields[1]!.length} bytes, not 32`}
  }
  if (info.curve !== undefined && r.fields[1]!.toString('latin1') !== info.curve) {
    return {ok: false, reason: `${type} key blob names curve ${JSON.stringify(r.fields[1]!.toString('latin1'))}`}
  }
  if (r.fields.slice(1).some((f) => f.length === 0)) return {ok: false, reason: `${type} key blob has an empty field`}
  return {ok: true, type, info}
}
