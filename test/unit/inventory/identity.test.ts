import {describe, expect, it} from 'vitest'

import {IdentitySchema, identityProbe, parseIdentityDmi, parseMachineId, parseNames} from '../../../inventory/identity.js'
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
        identityProbe.interpret({names: ok(text), machineId: ok(text), dmi: ok(text)}, contextOf(fixtures[0]!)).data ?? {hostname: 'x'},
      [...samples('names'), ...samples('machineId')],
      IdentitySchema,
    ))
})
