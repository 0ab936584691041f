import {createHash} from 'node:crypto'

/**
 * What `ssh-keygen -l` says of a public key, computed from its base64 blob on the controller (the blob is then dropped):
 * access's authorized keys, and the host keys that identity and sshd read (host-public-keys.ts).
 */
export interface PublicKeyFacts {
  /** `SHA256:` and the unpadded base64 of the SHA-256 of the decoded blob. */
  fingerprint: string
  /** The key type named inside the blob. */
  type: string
  bits?: number
}

const FIXED_BITS: Record<string, number> = {
  'ssh-ed25519': 256,
  'sk-ssh-ed25519@openssh.com': 256,
  'ssh-ed448': 456,
  'ecdsa-sha2-nistp256': 256,
  'ecdsa-sha2-nistp384': 384,
  'ecdsa-sha2-nistp521': 521,
  'sk-ecdsa-sha2-nistp256@openssh.com': 256,
}

/** Reads SSH wire-format strings (uint32 length + bytes) one after another; undefined past the end. */
class Reader {
  private at = 0
  constructor(private readonly buf: Buffer) {}
  next(): Buffer | undefined {
    if (this.at + 4 > this.buf.length) return undefined
    const len = this.buf.readUInt32BE(this.at)
    if (this.at + 4 + len > this.buf.length) return undefined
    const out = this.buf.subarray(this.at + 4, this.at + 4 + len)
    this.at += 4 + len
    return out
  }
}

/** Bit length of an SSH mpint (big-endian, a leading zero byte for a positive number with the high bit set). */
function mpintBits(m: Buffer | undefined): number | undefined {
  if (!m) return undefined
  let i = 0
  while (i < m.length && m[i] === 0) i++
  if (i === m.length) return 0
  return (m.length - i - 1) * 8 + (32 - Math.clz32(m[i]!))
}

/** Fingerprint, type and size of a key from its base64 blob; undefined when the text is not base64 of an SSH key. */
export function publicKeyFacts(base64: string): PublicKeyFacts | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined
  const blob = Buffer.from(base64, 'base64')
  const r = new Reader(blob)
  const typeBuf = r.next()
  if (!typeBuf || typeBuf.length === 0 || typeBuf.length > 64) return undefined
  const type = typeBuf.toString('latin1')
  if (!/^[a-z0-9@.-]+$/.test(type)) return undefined
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
  const plain = type.replace('-cert-v01@openssh.com', '')
  if (plain !== type) r.next() // a certificate: its nonce comes before the key
  let bits: number | undefined = FIXED_BITS[plain]
  if (plain === 'ssh-rsa') {
    r.next() // e
    bits = mpintBits(r.next())
  } else if (plain === 'ssh-dss') bits = mpintBits(r.next())
  return bits === undefined ? {fingerprint, type} : {fingerprint, type, bits}
}
