import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {identityProbe, parseHostKeyFiles, parseIdentityDmi, parseMachineAppId, parseNames} from '../../../inventory/identity.js'
import {appSpecificId, HATANG_APP_ID, IdentitySchema} from '../../../src/model/sections/identity.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {CommandOutput} from '../../../inventory/kit/probe.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('identity')
const ok = (stdout: string, exitCode = 0): CommandOutput => ({stdout, stderr: '', exitCode, timedOut: false, durationMs: 1, ran: true})
const CTX = {uid: 0, privileged: true, os: 'Linux'}

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
      expect(r.data?.machineAppId).toBe(appSpecificId(stdoutOf(f, 'machineId').trim()))
      expect(JSON.stringify(r)).not.toContain(stdoutOf(f, 'machineId').trim()) // the confidential id is not kept
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
    const ids = (f: typeof host) => identityProbe.interpret(f.outputs, contextOf(f)).data?.machineAppId
    expect(ids(user)).toBe(ids(host))
    for (const f of fixtures.filter((x) => x.platform.endsWith('-chroot'))) expect(ids(f)).not.toBe(ids(host))
  })
})

describe('identity parsers', () => {
  it('finds the FQDN as the canonical name in /etc/hosts', () => {
    expect(parseNames('web1\n127.0.0.1 localhost\n10.0.0.5\tweb1.example.vn web1 # main\n')).toEqual({hostname: 'web1', fqdn: 'web1.example.vn', problems: []})
    expect(parseNames('web1\n127.0.1.1 web1 web1.corp.local\n')).toEqual({hostname: 'web1', fqdn: 'web1.corp.local', problems: []})
    expect(parseNames('web1\n127.0.0.1 localhost\n')).toEqual({hostname: 'web1', problems: []})
    expect(parseNames('db.example.vn\n')).toEqual({hostname: 'db.example.vn', fqdn: 'db.example.vn', problems: []})
    expect(() => parseNames('')).toThrow(ParseError)
  })

  it('flags an odd node name and keeps the rest of the section', () => {
    const hosts = ok('127.0.0.1 localhost\n')
    const odd = identityProbe.interpret({names: ok('web_01.\n127.0.1.1 web_01.example.vn\n'), machineId: ok('3d1219c7c4c5404aaa1f6d2a48adfda4\n'), dmi: ok('', 3), hostKeys: ok('')}, CTX)
    expect(odd.status).toBe('partial')
    expect(odd.reason).toMatch(/^uname -n line 1: the node name "web_01\." is not a DNS name, kept as it is: FQDN; no DMI/)
    expect(odd.data).toEqual({hostname: 'web_01.', machineAppId: appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda4')})
    for (const bad of ['\n', 'db 1\n', 'db\u00071\n']) {
      const r = identityProbe.interpret({names: ok(`${bad}${hosts.stdout}`), machineId: ok('3d1219c7c4c5404aaa1f6d2a48adfda4\n'), dmi: ok('', 3), hostKeys: ok('')}, CTX)
      expect(r.status).toBe('partial')
      expect(r.reason).toMatch(/^uname -n line 1: the node name (is empty|".*" holds blanks or control characters), left out: host name, FQDN/)
      expect(r.data?.hostname).toBeUndefined()
      expect(r.data?.machineAppId).toBeDefined()
      expect(problemsOf(IdentitySchema, r.data)).toEqual([])
    }
  })

  it('keeps an app-specific id of the machine-id, never the id, unknown when uninitialized', () => {
    expect(parseMachineAppId('3D1219C7C4C5404AAA1F6D2A48ADFDA4\n')).toBe(appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda4'))
    expect(parseMachineAppId('3d1219c7c4c5404aaa1f6d2a48adfda4')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(parseMachineAppId('uninitialized\n')).toBeUndefined()
    expect(() => parseMachineAppId('abc')).toThrow(ParseError)
    // clones share it, other machines do not, another application would get another one
    expect(appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda4')).toBe(appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda4'))
    expect(appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda5')).not.toBe(appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda4'))
    expect(appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda4', '0'.repeat(32))).not.toBe(appSpecificId('3d1219c7c4c5404aaa1f6d2a48adfda4'))
  })

  it('computes the id exactly as systemd-id128 --app-specific does for this machine', () => {
    const machineId = readFileSync('/etc/machine-id', 'utf8').trim()
    const systemd = execFileSync('systemd-id128', ['-u', '-a', HATANG_APP_ID, 'machine-id'], {encoding: 'utf8'}).trim()
    const plain = execFileSync('systemd-id128', ['-a', HATANG_APP_ID, 'machine-id'], {encoding: 'utf8'}).trim()
    expect(appSpecificId(machineId)).toBe(systemd)
    expect(appSpecificId(machineId).replaceAll('-', '')).toBe(plain)
    expect(parseMachineAppId(`${machineId}\n`)).toBe(systemd)
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
  it('parseMachineAppId survives garbage', () => assertParserSurvivesGarbage(parseMachineAppId, samples('machineId')))
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
