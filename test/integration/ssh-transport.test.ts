import {readFileSync} from 'node:fs'
import path from 'node:path'

import ssh2 from 'ssh2'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectHost} from '../../src/collect/collect-host.js'
import {validateSnapshot} from '../../src/model/validate.js'
import {SshConnectError, SshTransport, type HostKeyVerifier, type SshTarget} from '../../src/transport/ssh-transport.js'
import {dropSessions, freePort, hangingCommands, SshLab, startSilentServer, TEST_USER, type Sshd} from '../support/sshd.js'

let lab: SshLab
let good: Sshd
let refusing: Sshd
let hanging: Sshd
let limited: Sshd

/** Trusts exactly the keys the lab started, by port: the simplest verifier that refuses everything else. */
const known = new Map<number, string>()
const verifier: HostKeyVerifier = (_host, port, key) => {
  const expected = known.get(port)
  if (expected === undefined) return {ok: false, kind: 'host-key-unknown', message: `unknown host key for port ${port}`}
  return expected === key.blob.toString('base64') ? {ok: true} : {ok: false, kind: 'host-key-changed', message: 'changed'}
}
const blobOf = (s: Sshd) => s.hostKeyPub.split(' ')[1]!

const target = (s: {port: number}, extra: Partial<SshTarget> = {}): SshTarget => ({
  host: '127.0.0.1',
  port: s.port,
  user: TEST_USER,
  identityFiles: [lab.clientKey],
  ...extra,
})

beforeAll(async () => {
  lab = new SshLab()
  ;[good, refusing, hanging, limited] = await Promise.all([
    lab.start('good'),
    lab.start('refusing', {authorize: 'other'}),
    lab.start('hanging', {path: `${hangingCommands(path.join(lab.dir, 'hang-bin'), ['ss'])}:/usr/bin:/bin:/usr/sbin:/sbin`}),
    lab.start('limited', {maxSessions: 10}),
  ])
  for (const s of [good, refusing, hanging, limited]) known.set(s.port, blobOf(s))
})

afterAll(async () => {
  await lab?.cleanup()
})

describe('SshTransport against real OpenSSH', () => {
  it('runs commands as the configured user, with exit codes, stderr and stdin as data', async () => {
    const t = await SshTransport.connect(target(good), {verifyHostKey: verifier})
    try {
      const r = await t.exec('id -un; echo oops >&2; cat; exit 3', {stdin: 'from stdin'})
      expect(r).toMatchObject({stdout: `${TEST_USER}\nfrom stdin`, stderr: 'oops\n', exitCode: 3, timedOut: false})
    } finally {
      await t.close()
    }
  })

  it('refuses an unknown host key, and says so', async () => {
    const stranger = await lab.start('stranger')
    await expect(SshTransport.connect(target(stranger), {verifyHostKey: verifier})).rejects.toMatchObject({kind: 'host-key-unknown'})
  })

  it('refuses a host whose key changed', async () => {
    const impostor = await lab.start('impostor')
    known.set(impostor.port, blobOf(good))
    await expect(SshTransport.connect(target(impostor), {verifyHostKey: verifier})).rejects.toMatchObject({kind: 'host-key-changed'})
  })

  it('reports a refused key as auth-failed, at once and without retrying', async () => {
    const t0 = Date.now()
    const error = (await SshTransport.connect(target(refusing), {verifyHostKey: verifier, attempts: 3}).catch((e: unknown) => e)) as SshConnectError
    expect(error).toBeInstanceOf(SshConnectError)
    expect(error.kind).toBe('auth-failed')
    expect(error.message).toContain(lab.clientKey)
    expect(Date.now() - t0).toBeLessThan(2000)
  })

  it('times out on a port that accepts TCP but never speaks SSH', async () => {
    const silent = await startSilentServer()
    try {
      const t0 = Date.now()
      await expect(SshTransport.connect(target(silent), {verifyHostKey: verifier, connectTimeoutMs: 1500, attempts: 1})).rejects.toMatchObject({kind: 'timeout'})
      expect(Date.now() - t0).toBeLessThan(5000)
    } finally {
      await silent.close()
    }
  })

  it('reports a closed port as unreachable', async () => {
    const port = await freePort()
    await expect(SshTransport.connect(target({port}), {verifyHostKey: verifier, attempts: 1})).rejects.toMatchObject({kind: 'unreachable'})
  })

  it('never opens more channels than MaxSessions allows', async () => {
    const t = await SshTransport.connect(target(limited), {verifyHostKey: verifier, maxChannels: 10})
    try {
      const results = await Promise.all(Array.from({length: 30}, (_, i) => t.exec(`sleep 0.2; echo ${i}`)))
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({length: 30}, (_, i) => String(i)))
    } finally {
      await t.close()
    }
  })

  it('collects a whole snapshot over SSH, the same machine as seen locally', async () => {
    const t = await SshTransport.connect(target(good), {verifyHostKey: verifier})
    try {
      const snap = await collectHost(t, {hostName: 'good'})
      validateSnapshot(snap)
      expect(snap.meta.transport).toBe('ssh')
      expect(snap.meta.privileged).toBe(false)
      expect(snap.sections.os.status).toBe('ok')
      expect(snap.sections.identity.data?.hostname).toBe((await import('node:os')).hostname())
      expect(snap.sections.accounts.reason).toMatch(/needs root/)
      expect(Math.abs(snap.meta.clock!.skewMs)).toBeLessThan(1000)
    } finally {
      await t.close()
    }
  })

  it('cuts a hung probe command at its timeout and collects the rest', async () => {
    const t = await SshTransport.connect(target(hanging), {verifyHostKey: verifier})
    try {
      const t0 = Date.now()
      const snap = await collectHost(t, {hostName: 'hanging', commandTimeoutMs: 1500})
      expect(Date.now() - t0).toBeLessThan(15_000)
      expect(snap.sections.ports.status).toBe('timeout')
      expect(snap.sections.os.status).toBe('ok')
      expect(snap.sections.packages.status).toBe('ok')
    } finally {
      await t.close()
    }
  })

  it("lets the server's announcement of its host keys pass, without asking it to prove each (ssh2 alone asks)", async () => {
    const logFile = path.join(lab.dir, 'announcing.log')
    const announcing = await lab.start('announcing', {args: ['-o', 'LogLevel=DEBUG3', '-E', logFile]})
    known.set(announcing.port, blobOf(announcing))
    const log = () => readFileSync(logFile, 'utf8')
    const settle = () => new Promise((r) => setTimeout(r, 300))
    const t = await SshTransport.connect(target(announcing), {verifyHostKey: verifier})
    try {
      expect((await t.exec('echo through')).stdout).toBe('through\n')
      await settle()
    } finally {
      await t.close()
    }
    await settle()
    expect(log()).toMatch(/notify_hostkeys: sent 1 hostkeys/)
    expect(log()).not.toMatch(/hostkeys-prove-00@openssh\.com/)

    // the control: ssh2's own client, left as it is, asks for the proofs at the same server
    const client = new ssh2.Client()
    await new Promise<void>((resolve, reject) => {
      client.on('ready', () => resolve()).on('error', reject)
      client.connect({host: '127.0.0.1', port: announcing.port, username: TEST_USER, privateKey: readFileSync(lab.clientKey), hostVerifier: () => true})
    })
    await settle()
    client.end()
    await settle()
    expect(log()).toMatch(/hostkeys-prove-00@openssh\.com/)
  })

  it('turns a connection dropped mid-command into data, not a hang', async () => {
    const victim = await lab.start('victim')
    known.set(victim.port, blobOf(victim))
    const t = await SshTransport.connect(target(victim), {verifyHostKey: verifier, keepaliveIntervalMs: 500})
    try {
      const pending = t.exec('sleep 30; echo never', {timeoutMs: 20_000})
      await new Promise((r) => setTimeout(r, 500))
      dropSessions(victim)
      const t0 = Date.now()
      const r = await pending.catch((e: unknown) => e)
      expect(Date.now() - t0).toBeLessThan(10_000)
      if (!(r instanceof Error)) expect((r as {stdout: string}).stdout).not.toContain('never')
    } finally {
      await t.close()
    }
  })
})
