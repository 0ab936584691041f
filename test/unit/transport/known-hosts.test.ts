import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {checkHostKeyBlob, DEFAULT_HOST_KEY_ALGORITHMS, fingerprintSha256} from '../../../src/transport/host-key.js'
import {acceptNewAllowed, entryMatchesName, hashKnownHostsName, knownHostsName, matchingEntries, parseKnownHosts, preferredHostKeyAlgorithms, verifyHostKey, type HostKeyVerdict, type KnownHostsEntry} from '../../../src/transport/known-hosts.js'
import {KnownHostsBook} from '../../../src/transport/known-hosts-book.js'
import {appendKnownHost, KnownHostsWriteError, readKnownHosts} from '../../../src/transport/known-hosts-file.js'
import {acceptCommand, describeHostKeyVerdict, describeUnrecordedKey, fingerprintCommand, hostKeyVerdictLine, removeCommand} from '../../../src/transport/known-hosts-messages.js'
import {FUZZ_RUNS, garbage} from '../../support/fuzz.js'
import {ensureSshdPrivsepDir} from '../../support/sshd.js'

/** A key made by ssh-keygen: its .pub line, type, blob, and what `ssh-keygen -lf` says of it. */
interface RealKey {
  pub: string
  type: string
  b64: string
  blob: Buffer
  fingerprint: string
  /** `type base64`, ready to follow a host field. */
  line: string
}

let dir: string
const keys: Record<'ed1' | 'ed2' | 'ec256' | 'ec384' | 'rsa', RealKey> = {} as never

function run(cmd: string, args: string[], input?: string): {stdout: string; stderr: string; status: number | null} {
  const r = spawnSync(cmd, args, {encoding: 'utf8', input, env: {...process.env, LC_ALL: 'C'}})
  if (r.error) throw r.error
  return {stdout: r.stdout, stderr: r.stderr, status: r.status}
}

async function makeKey(name: string, args: string[]): Promise<RealKey> {
  const file = path.join(dir, name)
  const gen = run('ssh-keygen', ['-q', ...args, '-f', file, '-N', '', '-C', `${name}@test`])
  expect(gen.status, gen.stderr).toBe(0)
  const pub = (await readFile(`${file}.pub`, 'utf8')).trim()
  const [type, b64] = pub.split(' ') as [string, string]
  const lf = run('ssh-keygen', ['-lf', `${file}.pub`])
  expect(lf.status, lf.stderr).toBe(0)
  return {pub, type, b64, blob: Buffer.from(b64, 'base64'), fingerprint: lf.stdout.split(' ')[1]!, line: `${type} ${b64}`}
}

/** The line numbers `ssh-keygen -F name -f file` reports. */
function sshKeygenFinds(file: string, name: string): number[] {
  const r = run('ssh-keygen', ['-F', name, '-f', file])
  expect([0, 1], r.stderr).toContain(r.status)
  return [...r.stdout.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]))
}

function ourFinds(entries: readonly KnownHostsEntry[], name: string): number[] {
  return entries.filter((e) => entryMatchesName(e, name)).map((e) => e.line)
}

let n = 0
async function writeKnownHosts(text: string): Promise<string> {
  const file = path.join(dir, `known_hosts.${++n}`)
  await writeFile(file, text)
  return file
}

/** `ssh-keygen -H -f` on a copy: the real tool's hashed form of a known_hosts text. */
async function hashWithSshKeygen(text: string): Promise<string> {
  const file = await writeKnownHosts(text)
  const r = run('ssh-keygen', ['-H', '-f', file])
  expect(r.status, r.stderr).toBe(0)
  return readFile(file, 'utf8')
}

function parseOk(text: string, file = 'kh'): KnownHostsEntry[] {
  const {entries, problems} = parseKnownHosts(text, file)
  expect(problems).toEqual([])
  return entries
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hatang-known-hosts-'))
  keys.ed1 = await makeKey('ed1', ['-t', 'ed25519'])
  keys.ed2 = await makeKey('ed2', ['-t', 'ed25519'])
  keys.ec256 = await makeKey('ec256', ['-t', 'ecdsa', '-b', '256'])
  keys.ec384 = await makeKey('ec384', ['-t', 'ecdsa', '-b', '384'])
  keys.rsa = await makeKey('rsa', ['-t', 'rsa', '-b', '2048'])
})

afterAll(async () => {
  if (dir) await rm(dir, {recursive: true, force: true})
})

describe('host key blobs and fingerprints', () => {
  it('prints SHA256 fingerprints exactly as ssh-keygen -lf', () => {
    for (const k of Object.values(keys)) {
      expect(fingerprintSha256(k.blob)).toBe(k.fingerprint)
      expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    }
  })

  it('recognises the key type inside real blobs and refuses broken ones', () => {
    for (const k of Object.values(keys)) expect(checkHostKeyBlob(k.blob)).toMatchObject({ok: true, type: k.type})
    expect(checkHostKeyBlob(keys.ed1.blob, 'ssh-rsa')).toMatchObject({ok: false, reason: expect.stringContaining('ssh-ed25519 key, the line says ssh-rsa')})
    expect(checkHostKeyBlob(keys.rsa.blob.subarray(0, 40))).toMatchObject({ok: false, reason: expect.stringContaining('truncated')})
    expect(checkHostKeyBlob(Buffer.concat([keys.ed1.blob, Buffer.from([0])]))).toMatchObject({ok: false, reason: expect.stringContaining('trailing')})
    expect(checkHostKeyBlob(Buffer.alloc(0))).toMatchObject({ok: false})
  })
})

describe('parseKnownHosts', () => {
  it('reads markers, patterns, hashed names, comments and line numbers; skips blank and comment lines', async () => {
    const hashed = (await hashWithSshKeygen(`h.example ${keys.ec256.line}\n`)).trim()
    const text = [
      '# a comment',
      '',
      `example.com,192.0.2.7 ${keys.ed1.line} ed1 comment with  spaces`,
      `   \t[127.0.0.1]:2222\t${keys.rsa.line}`,
      `@revoked * ${keys.ed2.line}`,
      `@cert-authority *.example.com ${keys.ec384.line} ca`,
      hashed,
      '   # indented comment',
    ].join('\n')
    const entries = parseOk(text, '/etc/ssh/ssh_known_hosts')
    expect(entries.map((e) => [e.line, e.marker, e.hosts.kind, e.keyType])).toEqual([
      [3, null, 'patterns', 'ssh-ed25519'],
      [4, null, 'patterns', 'ssh-rsa'],
      [5, 'revoked', 'patterns', 'ssh-ed25519'],
      [6, 'cert-authority', 'patterns', 'ecdsa-sha2-nistp384'],
      [7, null, 'hashed', 'ecdsa-sha2-nistp256'],
    ])
    expect(entries[0]).toMatchObject({file: '/etc/ssh/ssh_known_hosts', hosts: {text: 'example.com,192.0.2.7'}, comment: 'ed1 comment with  spaces'})
    expect(entries[0]!.blob.equals(keys.ed1.blob)).toBe(true)
    expect(entries[1]!.comment).toBe('')
  })

  it('skips bad lines with file:line and why, like OpenSSH ignores them (cross-checked with ssh-keygen -F)', async () => {
    const half = keys.rsa.b64.slice(0, 100)
    const ecOnly = keys.ec256.b64
    const goodSalt = Buffer.alloc(20, 7).toString('base64')
    const bad: Array<[string, RegExp]> = [
      [`@bogus bad ${keys.ed1.line}`, /unknown marker "@bogus"/],
      ['@revoked', /@revoked with no host patterns or key/],
      ['bad', /host patterns with no key/],
      ['bad ssh-ed25519', /ssh-ed25519 key with no key data/],
      ['bad ssh-ed25519 AAAA!!notbase64', /not valid base64/],
      [`bad ssh-rsa ${half}`, /truncated/],
      [`bad ssh-rsa ${keys.ed1.b64}`, /ssh-ed25519 key, the line says ssh-rsa/],
      [`bad ecdsa-sha2-nistp384 ${ecOnly}`, /ecdsa-sha2-nistp256 key, the line says ecdsa-sha2-nistp384/],
      [`bad ssh-foo ${Buffer.from('\u0000\u0000\u0000\u0007ssh-foo').toString('base64')}`, /unsupported key type ssh-foo/],
      ['bad 1024 35 1234567', /SSH protocol 1/],
      [`|2|${goodSalt}|${goodSalt} ${keys.ed1.line}`, /not \|1\|salt\|hash/],
      [`|1|c2FsdA==|${goodSalt} ${keys.ed1.line}`, /bad salt/],
      [`|1|${goodSalt}|x ${keys.ed1.line}`, /bad hash/],
    ]
    const lines = [`bad ${keys.ed2.line}`, ...bad.map(([l]) => l), `bad ${keys.ec256.line}`]
    const file = await writeKnownHosts(`${lines.join('\n')}\n`)
    const {entries, problems} = parseKnownHosts(lines.join('\n'), file)
    expect(entries.map((e) => e.line)).toEqual([1, lines.length])
    expect(problems.map((p) => p.line)).toEqual(bad.map((_, i) => i + 2))
    bad.forEach(([, why], i) => {
      expect(problems[i]!.reason).toMatch(why)
      expect(problems[i]!.message.startsWith(`${file}:${i + 2}: `)).toBe(true)
    })
    // Which keys OpenSSH can read: `ssh-keygen -lf` lists the valid plain lines (hosts renamed l<line> to tell them apart).
    const plainLines = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => l.startsWith('bad '))
    const renamed = await writeKnownHosts(plainLines.map(([l, i]) => l.replace(/^bad/, `l${i}`)).join('\n'))
    const lf = run('ssh-keygen', ['-lf', renamed])
    const readable = new Set([...lf.stdout.matchAll(/^\d+ SHA256:\S+ l(\d+) /gm)].map((m) => Number(m[1])))
    expect([...readable]).toEqual(entries.map((e) => e.line))
    // Which lines OpenSSH matches for "bad": ssh-keygen -F also prints lines whose key it cannot read; ssh skips those.
    const plainNumbers = new Set(plainLines.map(([, i]) => i))
    expect(sshKeygenFinds(file, 'bad').filter((l) => !plainNumbers.has(l) || readable.has(l))).toEqual(ourFinds(entries, 'bad'))
  })

  it('reads CRLF files as ssh-keygen does', async () => {
    const text = [`a.example ${keys.ed1.line}`, `b.example ${keys.rsa.line} with comment`, '# c', `[b.example]:2200 ${keys.ec384.line}`, ''].join('\r\n')
    const file = await writeKnownHosts(text)
    const entries = parseOk(text, file)
    expect(entries.map((e) => e.comment)).toEqual(['', 'with comment', ''])
    expect(entries[0]!.blob.equals(keys.ed1.blob)).toBe(true)
    for (const name of ['a.example', 'b.example', '[b.example]:2200']) expect(ourFinds(entries, name)).toEqual(sshKeygenFinds(file, name))
    expect(ourFinds(entries, '[b.example]:2200')).toEqual([4])
  })

  it('never throws on garbage: entries and problems only, every line accounted for at most once', async () => {
    const samples = [
      [`example.com,10.0.0.1 ${keys.ed1.line} c`, `@revoked * ${keys.rsa.line}`, `[h]:2222 ${keys.ec256.line}`].join('\n'),
      await hashWithSshKeygen(`x.example ${keys.ec384.line}\ny.example ${keys.ed2.line}\n`),
      `@cert-authority *.example ${keys.ed1.line}\n# comment\n\n`,
    ]
    fc.assert(
      fc.property(garbage(samples), (text) => {
        const {entries, problems} = parseKnownHosts(text, 'g')
        const lineCount = text.split('\n').length
        const seen = new Set<number>()
        for (const x of [...entries, ...problems]) {
          expect(x.line).toBeGreaterThanOrEqual(1)
          expect(x.line).toBeLessThanOrEqual(lineCount)
          expect(seen.has(x.line)).toBe(false)
          seen.add(x.line)
        }
        for (const p of problems) expect(p.message.startsWith(`g:${p.line}: `)).toBe(true)
        // And judging a key against whatever came out never throws either.
        const v = verifyHostKey(entries, {host: 'example.com', port: 22}, {blob: keys.ed1.blob})
        expect(['trusted', 'revoked', 'changed', 'unknown']).toContain(v.status)
        return true
      }),
      {numRuns: FUZZ_RUNS},
    )
  })
})

describe('host matching agrees with ssh-keygen -F', () => {
  it('over wildcards, negation, ports, IPv6, case, hashed names and markers', async () => {
    const k = keys.ed1.line
    const patterns = [
      'example.com',
      '*.example.com',
      'web?.example.com',
      '*.example.com,!bad.example.com',
      '!bad.example.com,*.example.com',
      '!*,example.com',
      'a,,b',
      'Example.ORG',
      '[127.0.0.1]:2222',
      '[127.0.0.1]:*',
      '127.0.0.1',
      '127.0.0.?',
      '[*.example.com]:2222',
      '10.0.0.*,!10.0.0.13',
      '::1',
      '[::1]:2222',
      `${'a'.repeat(1023)},example.com`,
      `${'a'.repeat(1022)},other.example`,
      '*',
      '!!x',
    ]
    const plain = patterns.map((p) => `${p} ${k}`)
    const marked = [`@revoked *.example.com ${keys.ed2.line}`, `@cert-authority [127.0.0.1]:* ${keys.rsa.line}`]
    const hashed = await hashWithSshKeygen(
      ['example.com', 'www.example.com,10.0.0.13', '[127.0.0.1]:2222', 'upper.example', '[::1]:2222'].map((h) => `${h} ${keys.ec256.line}`).join('\n') + '\n',
    )
    expect(hashed).toMatch(/^\|1\|/)
    const text = `${[...plain, ...marked].join('\n')}\n${hashed}`
    const file = await writeKnownHosts(text)
    const entries = parseOk(text, file)
    expect(entries.filter((e) => e.hosts.kind === 'hashed')).toHaveLength(6)

    const hosts = [
      'example.com', 'www.example.com', 'bad.example.com', 'web1.example.com', 'web12.example.com', 'example.org', 'a', 'b',
      '127.0.0.1', '127.0.0.12', '10.0.0.1', '10.0.0.13', '::1', 'upper.example', 'other.example', 'x', '!x', 'nothing.test',
    ]
    let compared = 0
    for (const host of hosts) {
      for (const port of [22, 2222, 2200]) {
        const name = knownHostsName(host, port)
        expect({name, lines: ourFinds(entries, name)}).toEqual({name, lines: sshKeygenFinds(file, name)})
        compared++
      }
    }
    expect(compared).toBe(54)
    // The look-up a connection makes (hashed names fed as bytes) finds the same lines, revoked ones aside.
    for (const host of hosts) {
      for (const port of [22, 2222, 2200]) {
        const name = knownHostsName(host, port)
        const expected = sshKeygenFinds(file, name).filter((l) => entries.find((e) => e.line === l)!.marker !== 'revoked')
        expect({name, lines: matchingEntries(entries, {host, port}).map((e) => e.line)}).toEqual({name, lines: expected})
      }
    }
    expect(matchingEntries(entries, {host: 'www.example.com', port: 22}).map((e) => e.line)).toEqual([2, 4, 5, 19, 24])
    // Spot checks that the comparison is not vacuous.
    expect(ourFinds(entries, 'bad.example.com')).toEqual([2, 19, 21])
    expect(ourFinds(entries, 'other.example')).toEqual([18, 19])
    expect(ourFinds(entries, 'example.com')).toEqual([1, 19, 23])
    expect(ourFinds(entries, '[127.0.0.1]:2222')).toEqual([9, 10, 19, 22, 26])
  })

  it('over random patterns, ports and hashed names (differential, seeded)', async () => {
    const piece = fc.constantFrom('a', 'b', '.', '*', '?', 'A')
    const glob = fc.array(piece, {minLength: 0, maxLength: 5}).map((cs) => cs.join(''))
    const portGlob = fc.constantFrom('22', '2222', '2*', '*', '22?', '?2')
    const sub = fc
      .tuple(fc.boolean(), fc.boolean(), glob, portGlob)
      .map(([neg, bracket, g, pg]) => `${neg ? '!' : ''}${bracket ? `[${g}]:${pg}` : g}`)
    const patternList = fc
      .array(sub, {minLength: 1, maxLength: 3})
      .map((subs) => subs.join(','))
      .filter((p) => p !== '' && !p.startsWith('#'))
    const host = fc.array(fc.constantFrom('a', 'b', '.'), {minLength: 1, maxLength: 4}).map((cs) => cs.join(''))
    const name = fc.tuple(host, fc.constantFrom(22, 22, 2222, 2022, 22222)).map(([h, p]) => knownHostsName(h, p))
    const patterns = fc.sample(patternList, {numRuns: 200, seed: 20240917})
    const names = [...new Set(fc.sample(name, {numRuns: 120, seed: 7}))]
    const hashedNames = [...new Set(fc.sample(name, {numRuns: 30, seed: 11}))]
    const hashed = await hashWithSshKeygen(hashedNames.map((h) => `${h} ${keys.ed2.line}`).join('\n') + '\n')
    const text = `${patterns.map((p) => `${p} ${keys.ed1.line}`).join('\n')}\n${hashed}`
    const file = await writeKnownHosts(text)
    const entries = parseOk(text, file)
    expect(entries.filter((e) => e.hosts.kind === 'hashed')).toHaveLength(hashedNames.length)
    let nonEmpty = 0
    let viaHash = 0
    let viaPort = 0
    for (const n of names) {
      const ours = ourFinds(entries, n)
      expect({name: n, lines: ours}).toEqual({name: n, lines: sshKeygenFinds(file, n)})
      if (ours.length > 0) nonEmpty++
      if (ours.some((l) => l > patterns.length)) viaHash++
      if (n.startsWith('[') && ours.length > 0) viaPort++
    }
    expect(nonEmpty).toBeGreaterThan(names.length / 2)
    expect(viaHash).toBeGreaterThan(5)
    expect(viaPort).toBeGreaterThan(5)
  })

  it('hashes names as ssh-keygen -H does', async () => {
    const hashed = (await hashWithSshKeygen(`[10.1.2.3]:2022 ${keys.ed1.line}\n`)).split(' ')[0]!
    const salt = Buffer.from(hashed.split('|')[2]!, 'base64')
    expect(hashKnownHostsName('[10.1.2.3]:2022', salt)).toBe(hashed)
  })
})

describe('verifyHostKey', () => {
  const target = (host: string, port = 22, aliases?: string[]) => ({host, port, aliases})
  let entries: KnownHostsEntry[]

  beforeAll(async () => {
    const hashed = await hashWithSshKeygen(`hashed.example ${keys.ed1.line}\n[hashed.example]:2222 ${keys.rsa.line}\n`)
    const text = [
      `example.com ${keys.ed1.line}`, // 1
      `example.com ${keys.ec256.line}`, // 2
      `[127.0.0.1]:2222 ${keys.ed1.line}`, // 3
      `127.0.0.1 ${keys.ed2.line}`, // 4
      `*.corp.example,!bad.corp.example ${keys.ed1.line}`, // 5
      `@revoked * ${keys.rsa.line}`, // 6
      `rsa.example ${keys.rsa.line}`, // 7
      `@cert-authority *.ca.example ${keys.ed1.line}`, // 8
      `rotating.example ${keys.ed1.line}`, // 9
      `rotating.example ${keys.ed2.line}`, // 10
      `10.9.8.7 ${keys.ec384.line}`, // 11
      hashed.trimEnd(), // 12, 13
    ].join('\n')
    entries = parseOk(text, '/home/u/.ssh/known_hosts')
  })

  const v = (t: ReturnType<typeof target>, k: RealKey, type?: string): HostKeyVerdict => verifyHostKey(entries, t, {blob: k.blob, type})

  it('trusts the key on file, saying where', () => {
    expect(v(target('example.com'), keys.ed1)).toEqual({
      status: 'trusted',
      names: ['example.com'],
      keyType: 'ssh-ed25519',
      fingerprint: keys.ed1.fingerprint,
      match: {file: '/home/u/.ssh/known_hosts', line: 1, keyType: 'ssh-ed25519', fingerprint: keys.ed1.fingerprint},
    })
    expect(v(target('EXAMPLE.com'), keys.ec256)).toMatchObject({status: 'trusted', match: {line: 2}})
    expect(v(target('rotating.example'), keys.ed2)).toMatchObject({status: 'trusted', match: {line: 10}})
    expect(v(target('hashed.example'), keys.ed1)).toMatchObject({status: 'trusted', match: {line: 12}})
    expect(v(target('hashed.example', 2222), keys.rsa, 'rsa-sha2-512')).toMatchObject({status: 'revoked'})
    expect(v(target('web', 22, ['10.9.8.7']), keys.ec384)).toMatchObject({status: 'trusted', names: ['web', '10.9.8.7'], match: {line: 11}})
  })

  it('applies OpenSSH port rules: bare host on 22, [host]:port otherwise', () => {
    expect(v(target('127.0.0.1', 2222), keys.ed1)).toMatchObject({status: 'trusted', names: ['[127.0.0.1]:2222'], match: {line: 3}})
    expect(v(target('127.0.0.1', 22), keys.ed2)).toMatchObject({status: 'trusted', match: {line: 4}})
    expect(v(target('127.0.0.1', 22), keys.ed1)).toMatchObject({status: 'changed', expected: [{line: 4}]})
    expect(v(target('127.0.0.1', 2200), keys.ed1)).toMatchObject({status: 'unknown', otherTypes: []})
    expect(v(target('hashed.example', 2200), keys.ed1)).toMatchObject({status: 'unknown', otherTypes: []})
  })

  it('calls a different key of the same type changed, listing what was expected and where', () => {
    const r = v(target('example.com'), keys.ed2)
    expect(r).toMatchObject({status: 'changed', fingerprint: keys.ed2.fingerprint, expected: [{line: 1, fingerprint: keys.ed1.fingerprint}]})
    // Every ECDSA curve is one type to OpenSSH.
    expect(v(target('example.com'), keys.ec384)).toMatchObject({status: 'changed', expected: [{line: 2, keyType: 'ecdsa-sha2-nistp256'}]})
    expect(v(target('hashed.example'), keys.ed2)).toMatchObject({status: 'changed', expected: [{line: 12}]})
    expect(v(target('x.corp.example'), keys.ed2)).toMatchObject({status: 'changed', expected: [{line: 5}]})
  })

  it('excludes hosts by negated patterns', () => {
    expect(v(target('x.corp.example'), keys.ed1)).toMatchObject({status: 'trusted', match: {line: 5}})
    expect(v(target('bad.corp.example'), keys.ed1)).toMatchObject({status: 'unknown', otherTypes: []})
  })

  it('refuses a revoked key for any host, even one listing it as trusted', () => {
    expect(v(target('rsa.example'), keys.rsa)).toMatchObject({status: 'revoked', revokedAt: [{line: 6, fingerprint: keys.rsa.fingerprint}]})
    expect(v(target('never.seen'), keys.rsa)).toMatchObject({status: 'revoked'})
    // Stricter than OpenSSH: the @revoked line's host patterns do not limit the revocation.
    const narrow = parseOk([`@revoked old.example ${keys.ed2.line}`, `other.example ${keys.ed2.line}`].join('\n'))
    expect(verifyHostKey(narrow, target('other.example', 2222, ['other.example']), {blob: keys.ed2.blob})).toMatchObject({
      status: 'revoked',
      revokedAt: [{line: 1}],
    })
  })

  it('says unknown, naming other key types on file and CA-only matches', () => {
    const r = verifyHostKey(entries, target('10.9.8.7'), {blob: keys.ed1.blob})
    expect(r).toMatchObject({status: 'unknown', certAuthorityOnly: false, otherTypes: [{line: 11, keyType: 'ecdsa-sha2-nistp384', fingerprint: keys.ec384.fingerprint}]})
    expect(acceptNewAllowed(r)).toBe(false)
    const ca = v(target('host.ca.example'), keys.ed2)
    expect(ca).toMatchObject({status: 'unknown', otherTypes: [], certAuthorityOnly: true})
    expect(acceptNewAllowed(ca)).toBe(false)
    const fresh = v(target('new.example', 2222), keys.ed2)
    expect(fresh).toMatchObject({status: 'unknown', otherTypes: [], certAuthorityOnly: false, names: ['[new.example]:2222']})
    expect(acceptNewAllowed(fresh)).toBe(true)
    for (const s of [v(target('example.com'), keys.ed1), v(target('example.com'), keys.ed2)]) expect(acceptNewAllowed(s)).toBe(false)
  })

  it('refuses what it cannot judge', () => {
    expect(verifyHostKey(entries, target('example.com'), {blob: Buffer.from('junk')})).toMatchObject({status: 'invalid'})
    expect(v(target('example.com'), keys.ed1, 'ssh-rsa')).toMatchObject({status: 'invalid', reason: expect.stringContaining('announced ssh-rsa')})
    expect(v(target('example.com', 0), keys.ed1)).toMatchObject({status: 'invalid'})
    expect(v(target('example.com', 70000), keys.ed1)).toMatchObject({status: 'invalid'})
    expect(v(target(''), keys.ed1)).toMatchObject({status: 'invalid'})
    expect(verifyHostKey([], target('example.com'), {blob: keys.ed1.blob})).toMatchObject({status: 'unknown'})
  })
})

describe('messages and commands', () => {
  const home = '/home/u'
  const file = '/home/u/.ssh/known_hosts'

  it('builds the accept, fingerprint and remove commands', () => {
    expect(acceptCommand('127.0.0.1', 2222, file, {keyType: 'ssh-ed25519', home})).toBe('ssh-keyscan -p 2222 -t ed25519 127.0.0.1 >> ~/.ssh/known_hosts')
    expect(acceptCommand('web.example', 22, '/etc/my known', {keyType: 'ecdsa-sha2-nistp384', hash: true})).toBe(
      "ssh-keyscan -H -t ecdsa web.example >> '/etc/my known'",
    )
    expect(acceptCommand('h', 22, file)).toBe('ssh-keyscan h >> /home/u/.ssh/known_hosts')
    expect(fingerprintCommand('::1', 2222, {keyType: 'ssh-rsa'})).toBe('ssh-keyscan -p 2222 -t rsa ::1 | ssh-keygen -lf -')
    expect(removeCommand('127.0.0.1', 2222, file, {home})).toBe("ssh-keygen -R '[127.0.0.1]:2222' -f ~/.ssh/known_hosts")
  })

  it('explains changed, unknown and revoked verdicts with fingerprints, places and commands', () => {
    const entries = parseOk([`[10.0.0.5]:2222 ${keys.ed1.line}`, `[10.0.0.5]:2222 ${keys.rsa.line}`, `@revoked * ${keys.ec256.line}`].join('\n'), file)
    const ctx = {host: '10.0.0.5', port: 2222, knownHostsFile: file, home}
    const changed = describeHostKeyVerdict(verifyHostKey(entries, ctx, {blob: keys.ed2.blob}), ctx)
    expect(changed).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED')
    expect(changed).toContain(`[10.0.0.5]:2222 presented the ED25519 key ${keys.ed2.fingerprint}`)
    expect(changed).toContain(`ED25519 key ${keys.ed1.fingerprint}  (${file}:1)`)
    expect(changed).toContain("ssh-keygen -R '[10.0.0.5]:2222' -f ~/.ssh/known_hosts")
    expect(changed).toContain('ssh-keyscan -p 2222 -t ed25519 10.0.0.5 >> ~/.ssh/known_hosts')

    const unknown = describeHostKeyVerdict(verifyHostKey(entries, ctx, {blob: keys.ec384.blob}), ctx)
    expect(unknown).toContain(`The server presented the ECDSA key ${keys.ec384.fingerprint}; known_hosts has other key types`)
    expect(unknown).toContain(`ED25519 key ${keys.ed1.fingerprint}  (${file}:1)`)
    expect(unknown).toContain(`RSA key ${keys.rsa.fingerprint}  (${file}:2)`)
    expect(unknown).toContain('ssh-keyscan -p 2222 -t ecdsa 10.0.0.5 | ssh-keygen -lf -')
    expect(unknown).toContain('ssh-keyscan -p 2222 -t ecdsa 10.0.0.5 >> ~/.ssh/known_hosts')
    expect(unknown).not.toContain('--accept-new')

    const fresh = {...ctx, port: 22}
    expect(describeHostKeyVerdict(verifyHostKey(entries, fresh, {blob: keys.ed1.blob}), fresh)).toContain('--accept-new')

    const revoked = describeHostKeyVerdict(verifyHostKey(entries, ctx, {blob: keys.ec256.blob}), ctx)
    expect(revoked).toContain(`REFUSING to connect: the server presented the ECDSA key ${keys.ec256.fingerprint}`)
    expect(revoked).toContain(`@revoked at ${file}:3`)

    const ca = parseOk(`@cert-authority * ${keys.ed1.line}`)
    expect(describeHostKeyVerdict(verifyHostKey(ca, ctx, {blob: keys.ed2.blob}), ctx)).toContain('does not support host certificates')
    expect(describeHostKeyVerdict(verifyHostKey(entries, ctx, {blob: keys.ed1.blob}), ctx)).toBe('')
  })

  it('puts everything a one-line channel needs on the first line: host, fingerprints, file:line, the command', () => {
    const global = '/etc/ssh/ssh_known_hosts'
    const entries = [
      ...parseOk(`[10.0.0.5]:2222 ${keys.rsa.line}\n@revoked * ${keys.ec256.line}`, file),
      ...parseOk(`# fleet\n[10.0.0.5]:2222 ${keys.ed1.line}`, global),
    ]
    const ctx = {host: '10.0.0.5', port: 2222, knownHostsFile: file, lookedUpIn: [file, global], home}
    const first = (blob: Buffer) => {
      const verdict = verifyHostKey(entries, ctx, {blob})
      const line = hostKeyVerdictLine(verdict, ctx)
      expect(describeHostKeyVerdict(verdict, ctx).split('\n')[0]).toBe(line)
      return line
    }
    // changed: the old key is removed from the file that has it (the global one), the new one recorded in the user's
    expect(first(keys.ed2.blob)).toBe(
      `[10.0.0.5]:2222: host key CHANGED: presented ED25519 key ${keys.ed2.fingerprint}, known_hosts expects ED25519 key ${keys.ed1.fingerprint} (${global}:2)` +
        ` — only if the host was rekeyed (check on it: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub): ssh-keygen -R '[10.0.0.5]:2222' -f ${global}` +
        ' && ssh-keyscan -p 2222 -t ed25519 10.0.0.5 >> ~/.ssh/known_hosts',
    )
    expect(first(keys.ec384.blob)).toBe(
      `[10.0.0.5]:2222: host key not known: presented ECDSA key ${keys.ec384.fingerprint}, known_hosts has only RSA key ${keys.rsa.fingerprint} (${file}:1), ` +
        `ED25519 key ${keys.ed1.fingerprint} (${global}:2) for it — compare it with ssh-keyscan -p 2222 -t ecdsa 10.0.0.5 | ssh-keygen -lf -, ` +
        'then record it: ssh-keyscan -p 2222 -t ecdsa 10.0.0.5 >> ~/.ssh/known_hosts',
    )
    expect(first(keys.ec256.blob)).toBe(
      `[10.0.0.5]:2222: host key REVOKED: presented ECDSA key ${keys.ec256.fingerprint}, marked @revoked at ${file}:2` +
        " — never accept it: ask the host's administrator for its new host key",
    )
    const fresh = {...ctx, host: 'new.example', port: 22}
    expect(hostKeyVerdictLine(verifyHostKey(entries, fresh, {blob: keys.ed2.blob}), fresh)).toBe(
      `new.example: host key not known: presented ED25519 key ${keys.ed2.fingerprint}, not in ${file}, ${global}` +
        ' — compare it with ssh-keyscan -t ed25519 new.example | ssh-keygen -lf -, then record it: ssh-keyscan -t ed25519 new.example >> ~/.ssh/known_hosts' +
        ' (or rerun with --accept-new)',
    )
    const unrecorded = describeUnrecordedKey(verifyHostKey(entries, fresh, {blob: keys.ed2.blob}) as Extract<HostKeyVerdict, {status: 'unknown'}>, fresh, {
      file,
      why: 'read-only file system',
    })
    expect(unrecorded.split('\n')[0]).toBe(
      `new.example: --accept-new cannot record the host key in ${file} (read-only file system), so the ED25519 key ${keys.ed2.fingerprint} is not trusted` +
        ` and hatang did not connect — make ${file} writable, or set the host's knownHostsFile to a writable file, and rerun`,
    )
  })

  const sshd = '/usr/sbin/sshd'
  it('the printed commands work against a real sshd on loopback', async () => {
    ensureSshdPrivsepDir()
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as {port: number}).port
        s.close(() => resolve(p))
      })
    })
    const hostKey = path.join(dir, 'ed1')
    const child: ChildProcess = spawn(
      sshd,
      ['-D', '-e', '-f', '/dev/null', '-h', hostKey, '-p', String(port), '-o', 'ListenAddress=127.0.0.1', '-o', 'PidFile=none'],
      {stdio: ['ignore', 'ignore', 'pipe']},
    )
    try {
      await new Promise<void>((resolve, reject) => {
        let err = ''
        const timer = setTimeout(() => reject(new Error(`sshd did not start: ${err}`)), 10_000)
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString()
          if (err.includes('Server listening')) {
            clearTimeout(timer)
            resolve()
          }
        })
        child.on('exit', () => reject(new Error(`sshd exited: ${err}`)))
      })
      const fakeHome = path.join(dir, 'home')
      await mkdir(path.join(fakeHome, '.ssh'), {recursive: true})
      const khFile = path.join(fakeHome, '.ssh', 'known_hosts')
      const env = {...process.env, HOME: fakeHome}
      const fp = spawnSync('sh', ['-c', fingerprintCommand('127.0.0.1', port, {keyType: 'ssh-ed25519'})], {encoding: 'utf8', env})
      expect(fp.stdout).toContain(keys.ed1.fingerprint)
      const acc = spawnSync('sh', ['-c', acceptCommand('127.0.0.1', port, khFile, {keyType: 'ssh-ed25519', home: fakeHome})], {encoding: 'utf8', env})
      expect(acc.status, acc.stderr).toBe(0)
      const {entries, problems} = await readKnownHosts([khFile, path.join(fakeHome, 'missing')])
      expect(problems).toEqual([])
      expect(verifyHostKey(entries, {host: '127.0.0.1', port}, {blob: keys.ed1.blob})).toMatchObject({status: 'trusted', match: {file: khFile, line: 1}})
      expect(verifyHostKey(entries, {host: '127.0.0.1', port}, {blob: keys.ed2.blob})).toMatchObject({status: 'changed'})
    } finally {
      child.kill('SIGTERM')
    }
  })
})

describe('appendKnownHost', () => {
  it('creates the folder 0700 and file 0600, and writes a line ssh-keygen -F finds', async () => {
    const file = path.join(dir, 'new-home', '.ssh', 'known_hosts')
    const first = await appendKnownHost(file, '127.0.0.1', 2222, {blob: keys.ed1.blob})
    expect(first).toEqual({line: `[127.0.0.1]:2222 ${keys.ed1.line}`, lineNumber: 1})
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700)
    expect(sshKeygenFinds(file, '[127.0.0.1]:2222')).toEqual([1])
    expect(sshKeygenFinds(file, '127.0.0.1')).toEqual([])
    expect((await appendKnownHost(file, 'Web.Example', 22, {blob: keys.rsa.blob, type: 'rsa-sha2-256'}, {comment: 'added by hatang\non 2024'})).lineNumber).toBe(2)
    expect(await readFile(file, 'utf8')).toBe(`[127.0.0.1]:2222 ${keys.ed1.line}\nweb.example ${keys.rsa.line} added by hatang on 2024\n`)
    expect(sshKeygenFinds(file, 'web.example')).toEqual([2])
  })

  it('hashes the name as ssh-keygen -H does, readable by ssh-keygen -F and verifyHostKey', async () => {
    const file = path.join(dir, 'hashed_known_hosts')
    const {line} = await appendKnownHost(file, '::1', 2200, {blob: keys.ec384.blob}, {hash: true})
    expect(line).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ecdsa-sha2-nistp384 /)
    expect(line).not.toContain('::1')
    expect(sshKeygenFinds(file, '[::1]:2200')).toEqual([1])
    expect(sshKeygenFinds(file, '::1')).toEqual([])
    const {entries} = await readKnownHosts([file])
    expect(verifyHostKey(entries, {host: '::1', port: 2200}, {blob: keys.ec384.blob})).toMatchObject({status: 'trusted'})
  })

  it('never rewrites others\' lines, adds a missing final newline, and survives parallel appends', async () => {
    const file = path.join(dir, 'shared_known_hosts')
    const before = `# theirs\r\nother.example ${keys.ed2.line} keep me`
    await writeFile(file, before, {mode: 0o644})
    await Promise.all(Array.from({length: 20}, (_, i) => appendKnownHost(file, `h${i}.example`, 22, {blob: keys.ed1.blob})))
    const after = await readFile(file, 'utf8')
    expect(after.startsWith(`${before}\n`)).toBe(true)
    expect((await stat(file)).mode & 0o777).toBe(0o644)
    const {entries, problems} = parseKnownHosts(after, file)
    expect(problems).toEqual([])
    expect(entries).toHaveLength(21)
    for (let i = 0; i < 20; i++) expect(sshKeygenFinds(file, `h${i}.example`)).toHaveLength(1)
  })

  it('numbers the line it appends, after a last line that lacks its newline too', async () => {
    const file = path.join(dir, 'numbered_known_hosts')
    await writeFile(file, `# theirs\nother.example ${keys.ed2.line}`)
    expect((await appendKnownHost(file, 'a.example', 22, {blob: keys.ed1.blob})).lineNumber).toBe(3)
    expect((await appendKnownHost(file, 'b.example', 22, {blob: keys.ed1.blob})).lineNumber).toBe(4)
    const {entries} = await readKnownHosts([file])
    expect(entries.map((e) => [e.line, e.hosts.text])).toEqual([
      [2, 'other.example'],
      [3, 'a.example'],
      [4, 'b.example'],
    ])
  })

  it('says which file cannot be written and why, and leaves nothing behind', async () => {
    const blocker = path.join(dir, 'blocker')
    await writeFile(blocker, 'a file\n')
    const under = path.join(blocker, 'known_hosts')
    const notDir = appendKnownHost(under, 'a.example', 22, {blob: keys.ed1.blob})
    await expect(notDir).rejects.toBeInstanceOf(KnownHostsWriteError)
    await expect(notDir).rejects.toMatchObject({file: under, why: `${blocker} is a file, not a folder`})
    const deeper = path.join(blocker, 'x', 'known_hosts')
    await expect(appendKnownHost(deeper, 'a.example', 22, {blob: keys.ed1.blob})).rejects.toMatchObject({why: `${blocker} is a file, not a folder`})
    const folder = path.join(dir, 'folder_known_hosts')
    await mkdir(folder)
    await expect(appendKnownHost(folder, 'a.example', 22, {blob: keys.ed1.blob})).rejects.toMatchObject({file: folder, why: `${folder} is a folder, not a file`})
    expect(await readFile(blocker, 'utf8')).toBe('a file\n')
    expect(readdirSync(folder)).toEqual([])
  })

  it('refuses patterns, bad ports and bad keys', async () => {
    const file = path.join(dir, 'refused_known_hosts')
    await expect(appendKnownHost(file, '*.example', 22, {blob: keys.ed1.blob})).rejects.toThrow(/not a plain host name/)
    await expect(appendKnownHost(file, 'a b', 22, {blob: keys.ed1.blob})).rejects.toThrow(/not a plain host name/)
    await expect(appendKnownHost(file, 'a,b', 22, {blob: keys.ed1.blob})).rejects.toThrow(/not a plain host name/)
    await expect(appendKnownHost(file, 'a', 0, {blob: keys.ed1.blob})).rejects.toThrow(/port 0/)
    await expect(appendKnownHost(file, 'a', 22, {blob: Buffer.from('x')})).rejects.toThrow(/cannot record/)
    expect(existsSync(file)).toBe(false)
  })
})

describe('preferredHostKeyAlgorithms', () => {
  it('offers the algorithms of key types on file first, as OpenSSH orders them', () => {
    const entries = parseOk(
      [
        `ec.example ${keys.ec384.line}`,
        `rsa.example,[both.example]:2222 ${keys.rsa.line}`,
        `[both.example]:2222 ${keys.ec256.line}`,
        `@revoked revoked.example ${keys.ec384.line}`,
        `@cert-authority ca.example ${keys.rsa.line}`,
      ].join('\n'),
    )
    const pref = (host: string, port = 22) => preferredHostKeyAlgorithms(entries, {host, port})
    expect(pref('ec.example').slice(0, 2)).toEqual(['ecdsa-sha2-nistp384', 'ssh-ed25519'])
    expect(pref('rsa.example').slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519'])
    expect(pref('both.example', 2222).slice(0, 4)).toEqual(['ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519'])
    expect(pref('both.example')).toEqual(DEFAULT_HOST_KEY_ALGORITHMS)
    expect(pref('revoked.example')).toEqual(DEFAULT_HOST_KEY_ALGORITHMS)
    expect(pref('ca.example')).toEqual(DEFAULT_HOST_KEY_ALGORITHMS)
    for (const h of ['ec.example', 'rsa.example']) expect([...pref(h)].sort()).toEqual([...DEFAULT_HOST_KEY_ALGORITHMS].sort())
    expect(preferredHostKeyAlgorithms(entries, {host: 'rsa.example', port: 22}, ['ssh-ed25519', 'rsa-sha2-256'])).toEqual(['rsa-sha2-256', 'ssh-ed25519'])
    expect(DEFAULT_HOST_KEY_ALGORITHMS[0]).toBe('ssh-ed25519')
    expect(DEFAULT_HOST_KEY_ALGORITHMS).not.toContain('ssh-rsa')
  })
})

describe('KnownHostsBook', () => {
  it('looks a host up once for its key algorithms and its verdict, and sees a key recorded since', async () => {
    const hashed = await hashWithSshKeygen(`[a.example]:2222 ${keys.ec256.line}\nb.example ${keys.ed1.line}\n`)
    const file = await writeKnownHosts(hashed)
    const policy = await new KnownHostsBook({acceptNew: true}).policy([file])
    expect(policy.algorithms('a.example', 2222)[0]).toBe('ecdsa-sha2-nistp256')
    expect(await policy.verify('a.example', 2222, {type: keys.ec256.type, blob: keys.ec256.blob})).toEqual({ok: true})
    const changed = await policy.verify('a.example', 2222, {type: keys.ec384.type, blob: keys.ec384.blob})
    expect(changed).toMatchObject({ok: false, kind: 'host-key-changed'})
    // a first-seen host: offered the default order, its key recorded, then known by that key only
    expect(policy.algorithms('new.example', 22)).toEqual(DEFAULT_HOST_KEY_ALGORITHMS)
    expect(await policy.verify('new.example', 22, {type: keys.rsa.type, blob: keys.rsa.blob})).toEqual({ok: true})
    expect(policy.algorithms('new.example', 22)[0]).toBe('rsa-sha2-512')
    expect(await policy.verify('new.example', 22, {type: keys.rsa.type, blob: keys.rsa.blob})).toEqual({ok: true})
    // known now with an RSA key: another type is not recorded beside it
    const other = await policy.verify('new.example', 22, {type: keys.ed2.type, blob: keys.ed2.blob})
    expect(other).toMatchObject({ok: false, kind: 'host-key-unknown'})
    expect(sshKeygenFinds(file, 'new.example')).toEqual([3])
  })
})

describe('readKnownHosts', () => {
  it('treats a missing file as empty and reports an unreadable one', async () => {
    const a = await writeKnownHosts(`a ${keys.ed1.line}\nbroken\n`)
    const r = await readKnownHosts([path.join(dir, 'nope'), a, dir])
    expect(r.entries.map((e) => [e.file, e.line])).toEqual([[a, 1]])
    expect(r.problems.map((p) => [p.file, p.line])).toEqual([
      [a, 2],
      [dir, 0],
    ])
    expect(r.problems[1]!.message).toContain('EISDIR')
  })
})
