import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {loadTcvnMapping} from '../../../src/engine/checks/tcvn-mapping.js'
import {hatang} from '../../support/cli.js'

let packs: Pack[]
let dir: string
beforeAll(() => {
  packs = builtinPackNames().map((n) => loadPack(packFile(n)))
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-tcvn-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('TCVN 11930:2017 mapping (checks/data/tcvn-11930.yaml)', () => {
  it('maps only checks that exist, and every check of the security packs', () => {
    const mapping = loadTcvnMapping()
    const ids = new Set(packs.flatMap((p) => p.checks.map((c) => c.id)))
    expect(Object.keys(mapping.mappings).filter((id) => !ids.has(id))).toEqual([])
    const security = packs.filter((p) => p.pack !== 'efficiency').flatMap((p) => p.checks.map((c) => c.id))
    expect(security.filter((id) => !(id in mapping.mappings))).toEqual([])
    expect(packs.find((p) => p.pack === 'efficiency')!.checks.filter((c) => c.id in mapping.mappings)).toEqual([])
  })

  it('is unconfirmed throughout and cites no clause', () => {
    for (const [id, m] of Object.entries(loadTcvnMapping().mappings)) {
      expect(m.confirmed, id).toBe(false)
      expect('clause' in m, id).toBe(false)
    }
  })

  it('is what the loaded checks carry as their TCVN reference', () => {
    const check = (id: string) => packs.flatMap((p) => p.checks).find((c) => c.id === id)!
    expect(check('ssh.root-login').references?.tcvn).toEqual({group: 'server', status: 'unconfirmed'})
    expect(check('firewall.default-deny').references?.tcvn).toEqual({group: 'network', status: 'unconfirmed'})
    expect(check('ws.disk-encryption').references?.tcvn).toEqual({group: 'data', status: 'unconfirmed'})
    expect(check('eff.uptime').references?.tcvn).toBeUndefined()
  })

  it('refuses a confirmed mapping without its clause, at file:line', () => {
    const file = path.join(dir, 'tcvn.yaml')
    writeFileSync(
      file,
      'standard: TCVN 11930:2017\ntitle: {vi: T, en: T}\ngroups:\n  network: {vi: M, en: N}\n  server: {vi: M, en: S}\n  application: {vi: U, en: A}\n  data: {vi: D, en: D}\n' +
        'mappings:\n  ssh.root-login: {group: server, confirmed: true}\n',
    )
    expect(() => loadTcvnMapping(file)).toThrow(/tcvn\.yaml:9:\d+ \/mappings\/ssh\.root-login/)
  })

  it('hatang packs show --json shows the mapping', () => {
    const r = hatang(['packs', 'show', 'linux-server', '--json'])
    expect(r.status, r.stderr).toBe(0)
    const pack = JSON.parse(r.stdout) as Pack
    expect(pack.checks.length).toBeGreaterThanOrEqual(50)
    expect(pack.checks.every((c) => c.references?.tcvn?.status === 'unconfirmed')).toBe(true)
    expect(pack.checks.find((c) => c.id === 'sysctl.ip-forward')!.references!.tcvn!.group).toBe('network')
  })
})
