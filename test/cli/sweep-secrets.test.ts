import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {SweepReport} from '../../src/report/sweep-summary.js'
import {BIN, hatang, ROOT} from '../support/cli.js'
import {SshLab, type Sshd} from '../support/sshd.js'

const PASSPHRASE = 'correct horse battery'
let lab: SshLab
let work: string
let locked: Sshd
let hostsFile: string
let lockedKey: string

/** The environment of a cron job: no agent, no passphrase variable. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', ...extra}
  delete env.SSH_AUTH_SOCK
  if (!('HATANG_SSH_PASSPHRASE' in extra)) delete env.HATANG_SSH_PASSPHRASE
  return env
}

/** Every file under a folder, as text: nothing written may hold the passphrase. */
function everythingWritten(dir: string): string {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n')
}

/**
 * Runs the sweep on a pseudo-terminal (util-linux `script`), as an operator at a console would, and types `answer`
 * once the prompt shows: the prompt must come before any host is contacted, and what is typed is not echoed.
 */
function sweepOnTerminal(out: string, answer: string): Promise<{code: number | null; output: string}> {
  const command = [process.execPath, BIN, 'sweep', hostsFile, '-o', out, '--quiet'].map((a) => `'${a}'`).join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], {cwd: ROOT, env: bareEnv(), stdio: ['pipe', 'pipe', 'pipe']})
  let output = ''
  let typed = false
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no prompt or no end; output so far: ${output}`))
    }, 60_000)
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString()
      if (!typed && output.includes('Passphrase for ')) {
        typed = true
        child.stdin.write(`${answer}\r`)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({code, output})
    })
  })
}

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-secrets-'))
  lockedKey = path.join(work, 'id_locked')
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'hatang-test-locked', '-f', lockedKey])
  expect(r.status, String(r.stderr)).toBe(0)
  locked = await lab.start('locked')
  // only the encrypted key opens this host
  writeFileSync(path.join(locked.dir, 'authorized_keys'), readFileSync(`${lockedKey}.pub`))
  lab.trust(locked)
  hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(
    hostsFile,
    [
      ...lab.hostsDefaults(lockedKey),
      '  address: 127.0.0.1',
      '  connectTimeout: 5',
      'hosts:',
      '  vault:',
      `    port: ${locked.port}`,
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('passphrases of encrypted keys', () => {
  it('without a terminal asks nothing: the host fails auth-failed, saying the key is encrypted and what to do', () => {
    const r = hatang(['sweep', hostsFile, '-o', path.join(work, 'cron'), '--json', '--quiet', '--ssh-config', 'none'], {env: bareEnv()})
    expect(r.status, r.stderr).toBe(3)
    const report = JSON.parse(r.stdout) as SweepReport
    expect(report.hosts[0]).toMatchObject({name: 'vault', status: 'auth-failed'})
    expect(report.hosts[0]!.reason).toContain(`${lockedKey} is encrypted and no passphrase was given`)
    expect(report.hosts[0]!.reason).toMatch(/HATANG_SSH_PASSPHRASE/)
  })

  it('takes the passphrase from HATANG_SSH_PASSPHRASE, and writes it nowhere', () => {
    const out = path.join(work, 'env')
    const r = hatang(['sweep', hostsFile, '-o', out, '--json', '--quiet', '--ssh-config', 'none'], {env: bareEnv({HATANG_SSH_PASSPHRASE: PASSPHRASE})})
    expect(r.status, r.stderr + r.stdout).toBe(0)
    expect((JSON.parse(r.stdout) as SweepReport).hosts[0]).toMatchObject({name: 'vault', status: 'ok'})
    expect(r.stdout + r.stderr + everythingWritten(out)).not.toContain(PASSPHRASE)
  })

  it('on a terminal asks once for the passphrase, does not echo it, and the host is collected', async () => {
    const out = path.join(work, 'tty')
    const r = await sweepOnTerminal(out, PASSPHRASE)
    expect(r.output).toContain(`Passphrase for ${lockedKey} (vault): `)
    expect(r.code, r.output).toBe(0)
    expect(r.output.match(/Passphrase for /g)).toHaveLength(1)
    expect(r.output + everythingWritten(out)).not.toContain(PASSPHRASE)
    const sweep = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')) as SweepReport
    expect(sweep.hosts[0]).toMatchObject({name: 'vault', status: 'ok'})
  })

  it('on a terminal, a wrong passphrase is an auth failure of that host, not a crash', async () => {
    const out = path.join(work, 'tty-wrong')
    const r = await sweepOnTerminal(out, 'not it')
    expect(r.code, r.output).toBe(3)
    expect(r.output).toMatch(/auth-failed\s+vault/)
    expect(r.output).toContain(`the passphrase given does not open ${lockedKey}`)
    expect(r.output).not.toContain('not it')
  })
})
