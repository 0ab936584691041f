import {createPrivateKey, sign, type KeyObject} from 'node:crypto'

import ssh2 from 'ssh2'

/** A key file's text as ssh2 reads it: its first key, or why it cannot be read. */
export type OpenedKey = ssh2.ParsedKey | Error

const NO_PASSPHRASE = '\u0000none'
const opened = new Map<string, Map<string, OpenedKey>>()

/**
 * A private key file's text parsed once a process for each passphrase tried (none included). ssh2 parses the key it is
 * given at every login: an encrypted OpenSSH key is opened by bcrypt, ~0.3 s of CPU, and was opened once to check the
 * passphrase and again at each host's login (0.6 s a host). It also signs with the key's PEM text, which OpenSSL
 * decodes again at every signature (~0.4 ms); a key opened here signs with a KeyObject made once (~0.05 ms). Kept in
 * this process's memory only, as the key files' text already is.
 */
export function openKey(text: string, passphrase?: string): OpenedKey {
  let byPassphrase = opened.get(text)
  if (byPassphrase === undefined) opened.set(text, (byPassphrase = new Map()))
  const slot = passphrase ?? NO_PASSPHRASE
  let key = byPassphrase.get(slot)
  if (key === undefined) {
    const parsed = ssh2.utils.parseKey(text, passphrase)
    key = parsed instanceof Error ? parsed : signingOnce(Array.isArray(parsed) ? (parsed[0] as ssh2.ParsedKey) : parsed)
    byPassphrase.set(slot, key)
  }
  return key
}

/** The key, its signatures made with a KeyObject decoded once (what ssh2's own sign would return, byte for byte). */
function signingOnce(key: ssh2.ParsedKey): ssh2.ParsedKey {
  if (!key.isPrivateKey()) return key
  let object: KeyObject
  try {
    object = createPrivateKey(key.getPrivatePEM())
  } catch {
    return key
  }
  const slow = key.sign.bind(key)
  key.sign = (data, algo) => {
    // ssh2 names the hash of an RSA or ECDSA signature; Ed25519 takes none. A key whose hash ssh2 keeps to itself
    // signs as ssh2 signs.
    if (typeof algo !== 'string' && key.type !== 'ssh-ed25519') return slow(data, algo)
    try {
      return sign(typeof algo === 'string' ? algo : null, typeof data === 'string' ? Buffer.from(data) : data, object)
    } catch (error) {
      // ssh2's sign returns its error, and its caller tests for one
      return error as Buffer
    }
  }
  return key
}
