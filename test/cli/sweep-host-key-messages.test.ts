import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {hatang} from '../support/cli.js'
import {hangingCommands, SshLab, type Sshd} from '../support/sshd.js'

/**
 * A refused host key must keep its meaning in every one-line channel: sweep progress without a terminal, the
 * sweep summary, the audit's --log and its printed summary. Each shows the host, the presented and expected
 * fingerprints, the known_hosts file:line and the command to run — never a row of `@`.
 */
let lab: SshLab
let work: string
let hostsFile: string
const servers: Record<string, Sshd> = {}
const ESC = '\u001b'

/** `SHA256:…` of a public key line, as ssh-keygen computes it: an independent reading. */
function fingerprint(pub: string): string {
  const r = spawnSync('ssh-keygen', ['-lf', '-'], {input: `${pub}\n`, encoding: 'utf8'})
  expect(r.status, r.stderr).toBe(0)
  return r.stdout.split(' ')[1]!
}

/** The 1-based line of known_hosts that holds this text. */
function lineOf(text: string): number {
  return readFileSync(lab.knownHosts, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-hkmsg-'))
  // a host whose sudo answers with terminal controls (it sets the window title) and whose `ss` hangs: partial
  const bin = hangingCommands(path.join(lab.dir, 'chatty-bin'), ['ss']) // where the test user can read
  writeFileSync(path.join(bin, 'sudo'), `#!/bin/sh\nprintf 'sudo: ${ESC}]0;pwned\\007a password is required\\n' >&2\nexit 1\n`, {mode: 0o755})
  const [good, moved, stranger, revoked, chatty] = await Promise.all([
    lab.start('good'),
    lab.start('moved'),
    lab.start('stranger'),
    lab.start('revoked'),
    lab.start('chatty', {path: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin`}),
  ])
  Object.assign(servers, {good, moved, stranger, revoked, chatty})
  lab.trust(good)
  lab.trust(chatty)
  lab.trust(moved, stranger.hostKeyPub) // on file for moved's address: another key (the host was "reinstalled")
  lab.trust(revoked)
  lab.trust(revoked, revoked.hostKeyPub, '@revoked *')
  hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(
    hostsFile,
    [
      ...lab.hostsDefaults(),
      '  address: 127.0.0.1',
      '  connectTimeout: 5',
      '  commandTimeout: 2',
      'hosts:',
      ...Object.entries(servers).flatMap(([name, s]) => [`  ${name}:`, `    port: ${s.port}`, ...(name === 'chatty' ? ['    sudo: true'] : [])]),
      '',
    ].join('\n'),
  )
  mkdirSync(path.join(work, 'audit'))
})

afterAll(async () => {
  await lab?.cleanup()
  if (work) rmSync(work, {recursive: true, force: true})
})

/** What each refused host's one line must say, as regular expressions over one line. */
function expectations(): Record<string, RegExp[]> {
  const kh = escape(lab.knownHosts)
  const {moved, stranger, revoked} = servers as Record<string, Sshd>
  return {
    moved: [
      new RegExp(`\\[127\\.0\\.0\\.1\\]:${moved!.port}: host key CHANGED: presented ED25519 key ${escape(fingerprint(moved!.hostKeyPub))}`),
      new RegExp(`known_hosts expects ED25519 key ${escape(fingerprint(stranger!.hostKeyPub))} \\(${kh}:${lineOf(stranger!.hostKeyPub)}\\)`),
      new RegExp(`ssh-keygen -R '\\[127\\.0\\.0\\.1\\]:${moved!.port}' -f ${kh} && ssh-keyscan -p ${moved!.port} -t ed25519 127\\.0\\.0\\.1 >> ${kh}`),
    ],
    stranger: [
      new RegExp(`\\[127\\.0\\.0\\.1\\]:${stranger!.port}: host key not known: presented ED25519 key ${escape(fingerprint(stranger!.hostKeyPub))}, not in ${kh}`),
      new RegExp(`ssh-keyscan -p ${stranger!.port} -t ed25519 127\\.0\\.0\\.1 >> ${kh} \\(or rerun with --accept-new\\)`),
    ],
    revoked: [
      new RegExp(`host key REVOKED: presented ED25519 key ${escape(fingerprint(revoked!.hostKeyPub))}, marked @revoked at ${kh}:${lineOf('@revoked')}`),
      /never accept it/,
    ],
  }
}

describe('a changed, unknown or revoked host key in one-line channels', () => {
  it('sweep: each progress line (no terminal) and the summary say host, fingerprints, file:line and the fix; host text is escaped', () => {
    const r = hatang(['sweep', hostsFile, '-o', path.join(work, 'sweep'), '--ssh-config', 'none'], {timeoutMs: 120_000})
    expect(r.status, r.stderr).toBe(3)
    const progress = r.stderr.split('\n')
    const summary = r.stdout.split('\n')
    for (const [name, patterns] of Object.entries(expectations())) {
      const status = name === 'moved' ? 'host-key-changed' : name === 'stranger' ? 'host-key-unknown' : 'host-key-changed'
      const line = progress.find((l) => new RegExp(`Z ${name} ${status}: `).test(l))
      expect(line, r.stderr).toBeDefined()
      const head = summary.find((l) => l.startsWith(status) && l.includes(` ${name} (127.0.0.1:`))
      expect(head, r.stdout).toBeDefined()
      for (const p of patterns) {
        expect(line).toMatch(p)
        expect(head).toMatch(p)
      }
    }
    expect(r.stderr).not.toMatch(/^\S+Z \S+ host-key-changed: @+/m)
    // the loud explanation still follows on the terminal summary
    expect(r.stdout).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED')
    // what chatty's sudo sent is shown, its controls as visible escapes, in progress and summary alike
    expect(r.stderr).toMatch(/Z chatty partial: .*sudo refused \(sudo: \\x1b\]0;pwned\\x07a password is required\)/)
    expect(r.stdout).toMatch(/^partial\s+chatty .*sudo refused \(sudo: \\x1b\]0;pwned\\x07a password is required\)/m)
    expect(r.stdout + r.stderr).not.toContain(ESC)
  })

  it('audit: the --log line and the printed summary say the same', () => {
    const log = path.join(work, 'audit', 'audit.log')
    const r = hatang(
      ['audit', hostsFile, '--limit', '!chatty', '--quiet', '--log', log, '--store', path.join(work, 'audit', 'store.db'), '-o', path.join(work, 'audit', 'reports'), '--ssh-config', 'none', '--fail-on', 'none'],
      {timeoutMs: 120_000},
    )
    expect(r.status, r.stderr).toBe(3)
    const logLines = readFileSync(log, 'utf8').split('\n')
    const printed = r.stdout.split('\n')
    for (const [name, patterns] of Object.entries(expectations())) {
      const logged = logLines.find((l) => l.includes(` host ${name}: host-key-`))
      expect(logged, logLines.join('\n')).toBeDefined()
      const shown = printed.find((l) => new RegExp(`^\\s+host-key-\\S+\\s+${name} — `).test(l))
      expect(shown, r.stdout).toBeDefined()
      for (const p of patterns) {
        expect(logged).toMatch(p)
        expect(shown).toMatch(p)
      }
    }
    expect(logLines.some((l) => /host-key-changed — @+$/.test(l))).toBe(false)
  })
})
