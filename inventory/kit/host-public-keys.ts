import {createHash} from 'node:crypto'

import {ParseError} from './parse-error.js'
import {lines, readFirstLine} from './probe-helpers.js'
import {defineSharedCommand} from './shared-command.js'

/**
 * The host's SSH public keys, read once a host for the probes that need them (identity names the host by them, sshd
 * reports their type, size and fingerprint): `==> FILE` then the file's line, by the shell itself. Their fingerprints
 * and sizes are computed here, as `ssh-keygen -lf` computes them, instead of one ssh-keygen per key on the host
 * (~4 ms of its CPU each).
 */
export const hostPublicKeys = defineSharedCommand({
  id: 'hostPublicKeys',
  platforms: ['Linux'],
  command: `for f in /etc/ssh/ssh_host_*_key.pub; do [ -r "$f" ] || continue; printf '==> %s\\n' "$f"; ${readFirstLine('"$f"')}; done; exit 0`,
})

export interface HostPublicKey {
  file: string
  /** The key type written inside the blob: `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`… */
  type: string
  /** `SHA256:` and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -lf` prints it. */
  fingerprint: string
  /** The key's size in bits, as `ssh-keygen -lf` prints it (RSA: its modulus; DSA: p; ECDSA: the curve's); absent for a type not known here. */
  bits?: number
  /** ssh-keygen's name of the type: ED25519, RSA, ECDSA, DSA, ED25519-SK, ECDSA-SK; absent for a type not known here. */
  label?: string
}

/** The SHA256 fingerprint of an OpenSSH public key blob (base64), as `ssh-keygen -lf` prints it: unpadded base64 of the digest. */
export function sshFingerprint(base64Blob: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(base64Blob, 'base64')).digest('base64').replace(/=+$/, '')}`
}

const LABELS: Record<string, string> = {
  'ssh-ed25519': 'ED25519',
  'ssh-rsa': 'RSA',
  'ssh-dss': 'DSA',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
  'sk-ssh-ed25519@openssh.com': 'ED25519-SK',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'ECDSA-SK',
}

/** The strings and mpints of an SSH wire-format blob, in order (RFC 4251 §5); undefined when it is cut short. */
function fields(raw: Buffer, count: number): Buffer[] | undefined {
  const out: Buffer[] = []
  let at = 0
  while (out.length < count) {
    if (raw.length < at + 4) return undefined
    const n = raw.readUInt32BE(at)
    if (raw.length < at + 4 + n) return undefined
    out.push(raw.subarray(at + 4, at + 4 + n))
    at += 4 + n
  }
  return out
}

/** The number of significant bits of an mpint (big-endian, a leading zero byte when its top bit is set). */
function mpintBits(m: Buffer): number {
  let i = 0
  while (i < m.length && m[i] === 0) i++
  return i === m.length ? 0 : (m.length - i - 1) * 8 + (32 - Math.clz32(m[i]!))
}

/** A key's size in bits as ssh-keygen gives it (sshkey_size), from its blob; undefined for a type it does not know. */
function keyBits(type: string, raw: Buffer): number | undefined {
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com' || type === 'sk-ecdsa-sha2-nistp256@openssh.com') return 256
  const curve = /^ecdsa-sha2-nistp(256|384|521)$/.exec(type)
  if (curve) return Number(curve[1])
  if (type === 'ssh-rsa') {
    const f = fields(raw, 3) // type, e, n
    return f && mpintBits(f[2]!)
  }
  if (type === 'ssh-dss') {
    const f = fields(raw, 2) // type, p, …
    return f && mpintBits(f[1]!)
  }
  return undefined
}

/**
 * Parses the hostPublicKeys command: `==> FILE` then the file's line (`TYPE BASE64 [COMMENT]`), per key. The key type is
 * the one written inside the blob (the text before it can lie); a file that holds no key is skipped. Throws ParseError
 * for a key line that is not one, or an RSA or DSA blob cut short.
 */
export function parseHostPublicKeys(text: string): HostPublicKey[] {
  const keys: HostPublicKey[] = []
  let file: string | undefined
  for (const [i, line] of lines(text).entries()) {
    const head = /^==> (.+)$/.exec(line)
    if (head) {
      file = head[1]!
      continue
    }
    if (line.trim() === '' || line.startsWith('#')) continue
    if (file === undefined) throw new ParseError('expected ==> FILE before a key', i + 1)
    const [type, blob] = line.trim().split(/\s+/)
    if (!type || !blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw new ParseError(`${file}: expected TYPE BASE64 [COMMENT]`, i + 1)
    const raw = Buffer.from(blob, 'base64')
    const inner = fields(raw, 1)?.[0]?.toString('latin1')
    if (inner !== type) throw new ParseError(`${file}: the key blob does not hold a ${type} key`, i + 1)
    const label = LABELS[type]
    const bits = label === undefined ? undefined : keyBits(type, raw)
    if (label !== undefined && bits === undefined) throw new ParseError(`${file}: the ${type} key blob is cut short`, i + 1)
    keys.push({file, type, fingerprint: sshFingerprint(blob), ...(label === undefined ? {} : {bits, label})})
    file = undefined
  }
  return keys
}
