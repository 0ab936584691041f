import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {IdentitySchema, identityProbe, parseHostKeyFiles, parseIdentityDmi, parseMachineId, parseNames} from '../../../inventory/identity.js'
import {ParseError} from '../../../src/collect/parse-error.js'
import type {CommandOutput} from '../../../src/collect/probe.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('identity')
const ok = (stdout: string, exitCode = 0): CommandOutput => ({stdout, stderr: '', exitCode, timedOut: false, durationMs: 1, ran: true})

describe('identity probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads the host name and machine ID`, () => {
      const r = identityProbe.interpret(f.outputs, contextOf(f))
      expect(['ok', 'partial']).toContain(r.status)
      expect(problemsOf(IdentitySchema, r.data)).toEqual([])
      expect(r.data?.hostname).toBe(stdoutOf(f, 'names').split('\n')[0])
      expect(r.data?.machineId).toBe(stdoutOf(f, 'machineId').trim())
      if (f.outputs.dmi!.exitCode === 3) {
        expect(r.status).toBe('partial')
        expect(r.reason).toMatch(/no DMI: system UUID, serial/)
        expect(r.data?.systemUuid).toBeUndefined()
      }
    })
  }

  it('the chroots keep their own machine-id, /proc is shared', () => {
    const host = loadFixture('debian-12-root', 'identity')
    const user = loadFixture('debian-12-user', 'identity')
    const ids = (f: typeof host) => identityProbe.interpret(f.outputs, contextOf(f)).data?.machineId
    expect(ids(user)).toBe(ids(host))
    for (const f of fixtures.filter((x) => x.platform.endsWith('-chroot'))) expect(ids(f)).not.toBe(ids(host))
  })
})

describe('identity parsers', () => {
  it('finds the FQDN as the canonical name in /etc/hosts', () => {
    expect(parseNames('web1\n127.0.0.1 localhost\n10.0.0.5\tweb1.example.vn web1 # main\n')).toEqual({hostname: 'web1', fqdn: 'web1.example.vn'})
    expect(parseNames('web1\n127.0.1.1 web1 web1.corp.local\n')).toEqual({hostname: 'web1', fqdn: 'web1.corp.local'})
    expect(parseNames('web1\n127.0.0.1 localhost\n')).toEqual({hostname: 'web1'})
    expect(parseNames('db.example.vn\n')).toEqual({hostname: 'db.example.vn', fqdn: 'db.example.vn'})
    expect(() => parseNames('\n')).toThrow(ParseError)
  })

  it('reads machine IDs, unknown when uninitialized', () => {
    expect(parseMachineId('3D1219C7C4C5404AAA1F6D2A48ADFDA4\n')).toBe('3d1219c7c4c5404aaa1f6d2a48adfda4')
    expect(parseMachineId('uninitialized\n')).toBeUndefined()
    expect(() => parseMachineId('abc')).toThrow(ParseError)
  })

  it('tells root-only DMI files from placeholders', () => {
    expect(parseIdentityDmi('product_uuid:!denied\nproduct_serial:!denied\n')).toEqual({denied: ['product_uuid', 'product_serial'], read: []})
    expect(parseIdentityDmi('product_uuid:4C4C4544-0042-3510-8052-B3C04F563232\nproduct_serial:To Be Filled By O.E.M.\n')).toEqual({
      uuid: '4c4c4544-0042-3510-8052-b3c04f563232',
      denied: [],
      read: ['product_uuid', 'product_serial'],
    })
    const r = identityProbe.interpret(
      {names: ok('h\n'), machineId: ok('3d1219c7c4c5404aaa1f6d2a48adfda4\n'), dmi: ok('product_uuid:!denied\nproduct_serial:!denied\n')},
      {uid: 1000, privileged: false, os: 'Linux'},
    )
    expect(r).toMatchObject({status: 'partial', reason: 'needs root: system UUID, serial'})
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseNames survives garbage', () => assertParserSurvivesGarbage(parseNames, samples('names')))
  it('parseMachineId survives garbage', () => assertParserSurvivesGarbage(parseMachineId, samples('machineId')))
  it('parseIdentityDmi survives garbage', () =>
    assertParserSurvivesGarbage(parseIdentityDmi, ['product_uuid:4c4c4544-0042-3510-8052-b3c04f563232\nproduct_serial:ABC123\n', 'product_uuid:!denied\n']))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) =>
        identityProbe.interpret({names: ok(text), machineId: ok(text), dmi: ok(text), hostKeys: ok(text)}, contextOf(fixtures[0]!)).data ?? {hostname: 'x'},
      [...samples('names'), ...samples('machineId'), ...samples('hostKeys')],
      IdentitySchema,
    ))
})

describe('SSH host key fingerprints', () => {
  const withKeys = fixtures.filter((f) => f.outputs.hostKeys?.ran && f.outputs.hostKeys.stdout.includes('==> '))

  it('are captured on several systems, and the same keys read as root and as nobody', () => {
    expect(withKeys.length).toBeGreaterThanOrEqual(3)
    const keys = (p: string) => identityProbe.interpret(loadFixture(p, 'identity').outputs, contextOf(loadFixture(p, 'identity'))).data?.sshHostKeys
    expect(keys('debian-12-user')).toEqual(keys('debian-12-root'))
    expect(keys('debian-12-root')!.map((k) => k.type).sort()).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa'])
  })

  it('match ssh-keygen -lf on every captured key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-keys-'))
    try {
      let n = 0
      for (const f of withKeys) {
        const text = stdoutOf(f, 'hostKeys')
        const parsed = parseHostKeyFiles(text)
        const bodies = text.split(/^==> .*\n/m).slice(1)
        expect(parsed.length).toBe(bodies.length)
        parsed.forEach((k, i) => {
          const file = path.join(dir, `${f.platform}-${i}.pub`)
          writeFileSync(file, bodies[i]!)
          const line = execFileSync('ssh-keygen', ['-lf', file], {encoding: 'utf8'})
          expect(line.split(' ')[1]).toBe(k.fingerprint)
          n++
        })
        const data = identityProbe.interpret(f.outputs, contextOf(f)).data!
        expect(data.sshHostKeys).toEqual(parsed)
        expect(problemsOf(IdentitySchema, data)).toEqual([])
      }
      expect(n).toBeGreaterThanOrEqual(9)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('refuse a blob that does not hold the key type it claims, and text outside a file', () => {
    const ed = 'AAAAC3NzaC1lZDI1NTE5AAAAIOZciieg8FuyK1WmYU5dhfiSQVQuIJEnD9HJY3dB/FQq'
    expect(parseHostKeyFiles(`==> /etc/ssh/a.pub\nssh-ed25519 ${ed} root@vm\n`)).toEqual([
      {file: '/etc/ssh/a.pub', type: 'ssh-ed25519', fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/)},
    ])
    expect(() => parseHostKeyFiles(`==> /etc/ssh/a.pub\nssh-rsa ${ed}\n`)).toThrow(ParseError)
    expect(() => parseHostKeyFiles(`ssh-ed25519 ${ed}\n`)).toThrow(ParseError)
    expect(parseHostKeyFiles('')).toEqual([])
  })
})
