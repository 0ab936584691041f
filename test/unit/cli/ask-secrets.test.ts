import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {neededSecrets} from '../../../src/cli/ask-secrets.js'
import type {HostSpec} from '../../../src/hosts/model.js'
import {hostSpec} from '../../support/host-spec.js'

let dir: string
let encrypted: string
let plain: string

const host = (name: string, over: Partial<HostSpec> = {}): HostSpec => hostSpec(name, {identityFiles: [plain], ...over})

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-ask-'))
  encrypted = path.join(dir, 'id_enc')
  plain = path.join(dir, 'id_plain')
  expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret words', '-f', encrypted]).status).toBe(0)
  expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plain]).status).toBe(0)
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('neededSecrets', () => {
  it('asks once per unset password variable and once per encrypted key, naming the hosts that need it', () => {
    const hosts = [
      host('db1', {passwordEnv: 'DB_PW'}),
      host('db2', {passwordEnv: 'DB_PW', identityFiles: [encrypted]}),
      host('web1', {passwordEnv: 'WEB_PW', identityFiles: [encrypted, path.join(dir, 'missing')]}),
      host('local', {transport: 'local', passwordEnv: 'LOCAL_PW', identityFiles: [encrypted]}),
    ]
    expect(neededSecrets(hosts, {WEB_PW: 'x'})).toEqual([
      {kind: 'password', env: 'DB_PW', hosts: ['db1', 'db2']},
      {kind: 'passphrase', file: encrypted, hosts: ['db2', 'web1']},
    ])
  })

  it('asks for no passphrase when HATANG_SSH_PASSPHRASE is set or an ssh-agent runs, nor for unencrypted keys', () => {
    const hosts = [host('a', {identityFiles: [encrypted]}), host('b')]
    expect(neededSecrets(hosts, {HATANG_SSH_PASSPHRASE: 'p'})).toEqual([])
    expect(neededSecrets(hosts, {SSH_AUTH_SOCK: '/run/agent.sock'})).toEqual([])
    expect(neededSecrets([host('b')], {})).toEqual([])
  })
})
