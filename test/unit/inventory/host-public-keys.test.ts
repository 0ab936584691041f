import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {ParseError} from '../../../inventory/kit/parse-error.js'
import {parseHostPublicKeys} from '../../../inventory/kit/host-public-keys.js'

describe('host public keys: type, size and fingerprint as ssh-keygen -lf gives them', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-keys-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  // keys made here by the real ssh-keygen, of every type and of odd sizes, each compared with its own `ssh-keygen -lf`
  const specs: [string, number][] = [
    ['rsa', 1024],
    ['rsa', 2048],
    ['rsa', 3071],
    ['rsa', 4096],
    ['dsa', 1024],
    ['ecdsa', 256],
    ['ecdsa', 384],
    ['ecdsa', 521],
    ['ed25519', 256],
  ]

  for (const [type, bits] of specs) {
    it(`${type} ${bits}`, () => {
      const file = path.join(dir, `ssh_host_${type}_${bits}_key`)
      execFileSync('ssh-keygen', ['-q', '-t', type, '-b', String(bits), '-N', '', '-C', 'root@host', '-f', file])
      const [key, ...more] = parseHostPublicKeys(`==> ${file}.pub\n${readFileSync(`${file}.pub`, 'utf8')}`)
      expect(more).toEqual([])
      // "3072 SHA256:… root@host (RSA)"
      const [size, fingerprint, , label] = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], {encoding: 'utf8'}).trim().split(' ')
      expect(key).toEqual({file: `${file}.pub`, type: readFileSync(`${file}.pub`, 'utf8').split(' ')[0], fingerprint, bits: Number(size), label: label!.replace(/[()]/g, '')})
    })
  }

  it('a key of a type it does not size is kept with its fingerprint only; a blob that lies about its type, or is cut short, is refused', () => {
    const ed = readFileSync(path.join(dir, 'ssh_host_ed25519_256_key.pub'), 'utf8').split(' ')[1]!
    const blob = (...parts: Buffer[]) => Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, 0, p.length]), p])).toString('base64')
    const xmss = blob(Buffer.from('ssh-xmss@openssh.com'), Buffer.from('x'))
    expect(parseHostPublicKeys(`==> /etc/ssh/x.pub\nssh-xmss@openssh.com ${xmss}\n`)).toEqual([{file: '/etc/ssh/x.pub', type: 'ssh-xmss@openssh.com', fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/)}])
    expect(() => parseHostPublicKeys(`==> /etc/ssh/a.pub\nssh-rsa ${ed}\n`)).toThrow(ParseError)
    expect(() => parseHostPublicKeys(`==> /etc/ssh/a.pub\nssh-rsa ${blob(Buffer.from('ssh-rsa'), Buffer.from([1, 0, 1]))}\n`)).toThrow(/cut short/)
    expect(() => parseHostPublicKeys(`ssh-ed25519 ${ed}\n`)).toThrow(ParseError)
    expect(parseHostPublicKeys('')).toEqual([])
  })
})
