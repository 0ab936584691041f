import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {SweepReport} from '../../src/report/sweep-summary.js'
import {hatang} from '../support/cli.js'
import {SshLab, TEST_USER, type Sshd} from '../support/sshd.js'

/**
 * When a real sshd refuses every method, the auth-failed reason says exactly what was tried and what was
 * missing — key files that do not exist (by path), an encrypted key without passphrase, a public key given as
 * identity, no default key, the agent (present or not), an unset password variable — and never a secret.
 */
const PASSWORD = 'Sup3r-s3cret-pw!'
let lab: SshLab
let door: Sshd
let work: string
let home: string
let lockedKey: string
let hostsFile: string
let agent: ChildProcess | undefined
let agentSock: string

/** A cron job's environment: no agent, no passphrase; HOME without keys; the password variable as given. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {...process.env, HOME: home, ...extra}
  for (const k of ['SSH_AUTH_SOCK', 'HATANG_SSH_PASSPHRASE', 'HATANG_TEST_PW', 'HATANG_TEST_UNSET_PW']) if (!(k in extra)) delete e[k]
  return e
}

function sweep(out: string, extra: NodeJS.ProcessEnv = {}): {report: SweepReport; all: string; status: number | null} {
  const r = hatang(['sweep', hostsFile, '-o', path.join(work, out), '--json', '--ssh-config', 'none'], {env: env(extra), timeoutMs: 120_000})
  const written = readdirSync(path.join(work, out)).map((f) => readFileSync(path.join(work, out, f), 'utf8'))
  return {report: JSON.parse(r.stdout) as SweepReport, all: [r.stdout, r.stderr, ...written].join('\n'), status: r.status}
}

const reasonOf = (report: SweepReport, name: string): string => {
  const h = report.hosts.find((x) => x.name === name)!
  expect(h.status, `${name}: ${h.reason}`).toBe('auth-failed')
  return h.reason!
}

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-auth-'))
  home = path.join(work, 'home') // a home folder with no ~/.ssh keys
  mkdirSync(home)
  lockedKey = path.join(work, 'id_locked')
  const gen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-C', 'locked', '-f', lockedKey], {encoding: 'utf8'})
  expect(gen.status, gen.stderr).toBe(0)
  door = await lab.start('door') // authorizes the lab's client key only; no password authentication
  lab.trust(door)
  const missing = path.join(work, 'no-such-key')
  const hosts: Record<string, string[]> = {
    missingkey: [`identityFile: [${missing}, ${lab.otherKey}]`],
    pwunset: [`identityFile: ${lab.otherKey}`, 'passwordEnv: HATANG_TEST_UNSET_PW'],
    pwset: [`identityFile: ${lab.otherKey}`, 'passwordEnv: HATANG_TEST_PW'],
    locked: [`identityFile: ${lockedKey}`],
    pubkey: [`identityFile: ${lab.clientKey}.pub`],
    defaults: [],
  }
  hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(
    hostsFile,
    [
      'defaults:',
      `  user: ${TEST_USER}`,
      '  address: 127.0.0.1',
      `  port: ${door.port}`,
      `  knownHostsFile: ${lab.knownHosts}`,
      '  connectTimeout: 5',
      'hosts:',
      ...Object.entries(hosts).flatMap(([name, lines]) => [`  ${name}:`, ...(lines.length > 0 ? lines.map((l) => `    ${l}`) : ['    role: test'])]),
      '',
    ].join('\n'),
  )
  // a real, empty ssh-agent
  agentSock = path.join(work, 'agent.sock')
  agent = spawn('ssh-agent', ['-D', '-a', agentSock], {stdio: 'ignore'})
  for (let i = 0; i < 100 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 20))
  expect(existsSync(agentSock), 'ssh-agent did not start').toBe(true)
})

afterAll(async () => {
  if (agent?.pid && agent.exitCode === null) agent.kill('SIGTERM')
  await lab?.cleanup()
  if (work) rmSync(work, {recursive: true, force: true})
})

describe('auth-failed says what was tried and what was missing', () => {
  let run: ReturnType<typeof sweep>

  beforeAll(() => {
    run = sweep('no-agent', {HATANG_TEST_PW: PASSWORD})
  })

  it('names a configured key file that does not exist, by path, and what to do', () => {
    expect(run.status).toBe(3)
    const reason = reasonOf(run.report, 'missingkey')
    expect(reason).toContain(`tried key ${lab.otherKey};`)
    expect(reason).toContain(`key ${path.join(work, 'no-such-key')} does not exist`)
    expect(reason).toContain('correct identityFile in the hosts file')
    expect(reason).toContain('(the server accepts: publickey)')
    expect(reason).not.toContain('no key file found')
  })

  it('names an unset password variable, and a set one only by its name', () => {
    const unset = reasonOf(run.report, 'pwunset')
    expect(unset).toContain('password variable HATANG_TEST_UNSET_PW is not set')
    expect(unset).toContain('set HATANG_TEST_UNSET_PW, or run in a terminal to be asked')
    const set = reasonOf(run.report, 'pwset')
    expect(set).toContain(`tried key ${lab.otherKey}, a password (HATANG_TEST_PW)`)
    expect(set).not.toContain('HATANG_TEST_PW is not set')
    expect(set).toContain('the server does not take a password')
    expect(run.all).not.toContain(PASSWORD)
  })

  it('names an encrypted key without passphrase, a public key given as identity, and missing default keys', () => {
    expect(reasonOf(run.report, 'locked')).toContain(`${lockedKey} is encrypted and no passphrase was given`)
    expect(reasonOf(run.report, 'locked')).toContain('tried nothing')
    expect(reasonOf(run.report, 'pubkey')).toContain(`key ${lab.clientKey}.pub is a public key`)
    const defaults = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => path.join(home, '.ssh', k)).join(', ')
    expect(reasonOf(run.report, 'defaults')).toContain(`no identityFile is set and no default key exists (${defaults})`)
  })

  it('says there is no ssh-agent, and names the agent it tried when there is one', () => {
    for (const h of run.report.hosts) expect(h.reason).toContain('no ssh-agent (SSH_AUTH_SOCK is not set)')
    const withAgent = sweep('agent', {SSH_AUTH_SOCK: agentSock})
    for (const h of withAgent.report.hosts) {
      expect(h.status).toBe('auth-failed')
      expect(h.reason).toContain(`tried the ssh-agent (${agentSock})`)
      expect(h.reason).not.toContain('no ssh-agent')
    }
    expect(reasonOf(withAgent.report, 'locked')).toContain(`tried the ssh-agent (${agentSock});`)
  })
})
