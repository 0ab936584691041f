import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {expandSshTokens, hostLineMatches, splitSshLine, SshConfig} from '../../../src/hosts/ssh-config.js'

const FIX = path.resolve(import.meta.dirname, '../../fixtures/hosts')
const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-sshcfg-'))
cpSync(path.join(FIX, 'conf.d'), path.join(dir, 'conf.d'), {recursive: true})
const configFile = path.join(dir, 'ssh_config')
writeFileSync(configFile, readFileSync(path.join(FIX, 'ssh_config'), 'utf8').replaceAll('@DIR@', dir))

const home = os.homedir()
const localUser = os.userInfo().username
const SSH_DEFAULT_KEYS = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((k) => `~/.ssh/${k}`)

/** What OpenSSH itself resolves for an alias (no connection is made). */
function sshG(file: string, alias: string): Record<string, string[]> {
  const r = spawnSync('ssh', ['-G', '-F', file, alias], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`ssh -G failed: ${r.stderr}`)
  const out: Record<string, string[]> = {}
  for (const line of r.stdout.split('\n')) {
    const sp = line.indexOf(' ')
    if (sp > 0) (out[line.slice(0, sp)] ??= []).push(line.slice(sp + 1))
  }
  return out
}

const ALIASES = ['bastion', 'web01', 'web42', 'web99', 'web7', 'db01', 'dbx', 'backup', 'legacy', 'lab-1', 'lab-special', 'random.example.com', '10.1.2.3']

describe('ssh_config, compared with ssh -G', () => {
  const config = SshConfig.load(configFile, {home, localUser})
  for (const alias of ALIASES) {
    it(`resolves ${alias} as OpenSSH does`, () => {
      const theirs = sshG(configFile, alias)
      const ours = config.lookup(alias)
      const host = ours.hostname ?? alias
      const user = ours.user ?? localUser
      const port = ours.port ?? 22
      expect(host).toBe(theirs.hostname?.[0])
      expect(user).toBe(theirs.user?.[0])
      expect(port).toBe(Number(theirs.port?.[0]))
      expect(ours.identityFiles.length ? ours.identityFiles : SSH_DEFAULT_KEYS).toEqual(theirs.identityfile)
      expect(ours.proxyJump).toBe(theirs.proxyjump?.[0])
      const ctx = {home, localUser, host, remoteUser: user, port, alias}
      const known = (ours.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((f) => expandSshTokens(f, ctx))
      expect(known.join(' ')).toBe(theirs.userknownhostsfile?.[0])
    })
  }

  it('knows literal aliases, through Include too', () => {
    expect(config.knowsAlias('bastion')).toBe(true)
    expect(config.knowsAlias('lab-special')).toBe(true)
    expect(config.knowsAlias('web01')).toBe(false)
  })
})

describe('ssh_config details', () => {
  it('splits lines as ssh does', () => {
    expect(splitSshLine('  HostName=example.com')).toEqual(['HostName', 'example.com'])
    expect(splitSshLine('IdentityFile "~/My Keys/id" # comment')).toEqual(['IdentityFile', '~/My Keys/id'])
    expect(splitSshLine('Host a b !c')).toEqual(['Host', 'a', 'b', '!c'])
  })

  it('matches Host patterns with negation', () => {
    expect(hostLineMatches('web01', ['web*', '!web9*'])).toBe(true)
    expect(hostLineMatches('web99', ['web*', '!web9*'])).toBe(false)
    expect(hostLineMatches('db1', ['!web*'])).toBe(false)
    expect(hostLineMatches('db1', ['d?1'])).toBe(true)
  })

  it('expands tokens in key paths', () => {
    const ctx = {home: '/home/an', localUser: 'an', host: 'h.example', remoteUser: 'ops', port: 2222, alias: 'h'}
    expect(expandSshTokens('~/.ssh/%r@%h:%p', ctx)).toBe('/home/an/.ssh/ops@h.example:2222')
    expect(expandSshTokens('%d/.ssh/id_%u_%n%%', ctx)).toBe('/home/an/.ssh/id_an_h%')
  })

  it('compares with ssh -G on a config with Match all, negated Match and a ProxyCommand', () => {
    const file = path.join(dir, 'second')
    writeFileSync(
      file,
      ['Host pc', '  ProxyCommand ssh -W %h:%p gw', '  ProxyJump ignored', `Match !host pc,zz* user ${localUser}`, '  Port 2345', 'Match all', '  User everybody', '  IdentityFile ~/.ssh/a', '  IdentityFile ~/.ssh/a', ''].join('\n'),
    )
    const cfg = SshConfig.load(file, {home, localUser})
    for (const alias of ['pc', 'zz1', 'other']) {
      const theirs = sshG(file, alias)
      const ours = cfg.lookup(alias)
      expect(ours.port ?? 22, alias).toBe(Number(theirs.port?.[0]))
      expect(ours.user, alias).toBe(theirs.user?.[0])
      expect(ours.proxyJump, alias).toBe(theirs.proxyjump?.[0])
      expect(ours.identityFiles, alias).toEqual(theirs.identityfile)
    }
  })
})
