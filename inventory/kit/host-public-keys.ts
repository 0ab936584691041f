import {ParseError} from './parse-error.js'
import {lines, readFirstLine} from './probe-helpers.js'
import {defineSharedCommand} from './shared-command.js'
import {publicKeyFacts} from './ssh-public-key.js'

/**
 * The host's SSH public keys, read once a host for the probes that need them (identity names the host by them, sshd
 * reports their type, size and fingerprint): `==> FILE` then the file's line, by the shell itself. Their fingerprints
 * and sizes are computed on the controller (ssh-public-key.ts, as `ssh-keygen -lf` computes them), instead of one
 * ssh-keygen per key on the host (~4 ms of its CPU each).
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

/** ssh-keygen's name of each key type it sizes (sshkey_type). */
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
    const facts = publicKeyFacts(blob)
    if (facts?.type !== type) throw new ParseError(`${file}: the key blob does not hold a ${type} key`, i + 1)
    const label = LABELS[type]
    if (label !== undefined && facts.bits === undefined) throw new ParseError(`${file}: the ${type} key blob is cut short`, i + 1)
    keys.push({file, type, fingerprint: facts.fingerprint, ...(label === undefined ? {} : {bits: facts.bits, label})})
    file = undefined
  }
  return keys
}
