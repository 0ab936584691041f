import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import ssh2 from 'ssh2'
import {afterAll, describe, expect, it} from 'vitest'

import {openKey} from '../../../src/transport/opened-keys.js'

// Keys made by ssh-keygen, as a user's are; each signature compared with what ssh2 itself makes of the same key.
const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-keys-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function keygen(name: string, args: string[], passphrase = ''): string {
  const file = path.join(dir, name)
  execFileSync('ssh-keygen', ['-q', ...args, '-N', passphrase, '-C', name, '-f', file])
  return readFileSync(file, 'utf8')
}

const ssh2Key = (text: string, passphrase?: string) => ssh2.utils.parseKey(text, passphrase) as ssh2.ParsedKey
const opened = (text: string, passphrase?: string) => {
  const key = openKey(text, passphrase)
  if (key instanceof Error) throw key
  return key
}

describe('keys opened once a process', () => {
  const data = randomBytes(96)

  it('signs as ssh2 signs, byte for byte, with Ed25519 and with RSA under each hash a login names', () => {
    const ed = keygen('ed', ['-t', 'ed25519'])
    expect(opened(ed).sign(data)).toEqual(ssh2Key(ed).sign(data))
    const rsa = keygen('rsa', ['-t', 'rsa', '-b', '2048'])
    for (const hash of ['sha256', 'sha512', undefined]) expect(opened(rsa).sign(data, hash), String(hash)).toEqual(ssh2Key(rsa).sign(data, hash))
  })

  it('an ECDSA signature (random each time) verifies with the public key, as ssh2 checks it', () => {
    const ecdsa = keygen('ecdsa', ['-t', 'ecdsa', '-b', '256'])
    const signature = opened(ecdsa).sign(data, 'sha256')
    expect(signature).toBeInstanceOf(Buffer)
    expect(ssh2Key(ecdsa).verify(data, signature, 'sha256')).toBe(true)
    expect(ssh2Key(ecdsa).verify(randomBytes(96), signature, 'sha256')).toBe(false)
  })

  it('opens an encrypted key once for its passphrase, and tells a wrong or missing passphrase', () => {
    const text = keygen('locked', ['-t', 'ed25519'], 'correct horse')
    const first = opened(text, 'correct horse')
    expect(openKey(text, 'correct horse')).toBe(first)
    expect(first.sign(data)).toEqual(ssh2Key(text, 'correct horse').sign(data))
    expect(openKey(text, 'wrong')).toBeInstanceOf(Error)
    expect(String(openKey(text))).toMatch(/passphrase|encrypted/i)
  })

  it('a public key is read, not used to sign; what is no key is an error', () => {
    keygen('pub', ['-t', 'ed25519'])
    const pub = openKey(readFileSync(path.join(dir, 'pub.pub'), 'utf8'))
    expect(pub).not.toBeInstanceOf(Error)
    expect((pub as ssh2.ParsedKey).isPrivateKey()).toBe(false)
    expect(openKey('not a key')).toBeInstanceOf(Error)
  })
})
