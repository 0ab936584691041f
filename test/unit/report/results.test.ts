import {readFileSync} from 'node:fs'
import path from 'node:path'

import {Ajv2020} from 'ajv/dist/2020.js'
import {beforeAll, describe, expect, it} from 'vitest'

import type {Waiver} from '../../../src/engine/waivers.js'
import {publishedSchemas} from '../../../src/model/published-schemas.js'
import {ResultsSchema, type Results} from '../../../src/model/results.js'
import {isInstalled} from '../../../src/model/sections/packages.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {problemsOf, validateSnapshot} from '../../../src/model/validate.js'
import {fleet, hostName, kernelDrift, resultsOf} from './fleet.js'

let snaps: Snapshot[]
let results: Results
const waiver: Waiver = {check: 'firewall.active', hosts: ['srv-0001'], reason: 'lab host', approver: 'Trưởng phòng CNTT', expires: '2999-12-31', source: 'waivers.yaml:2'}

beforeAll(() => {
  snaps = fleet(31)
  for (const s of snaps) validateSnapshot(s, s.host.name)
  results = resultsOf(snaps, {waivers: [waiver], fleet: [kernelDrift(snaps)]})
})

describe('buildResults', () => {
  it('matches its own schema, and the published file is current (run `npm run schema`)', () => {
    expect(problemsOf(ResultsSchema, results)).toEqual([])
    const file = path.resolve(import.meta.dirname, '../../../schema/results.schema.json')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(publishedSchemas()['results.schema.json'])
    const ajv = new Ajv2020({strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false})
    expect(() => ajv.compile(publishedSchemas()['results.schema.json'] as object)).not.toThrow()
  })

  it('summarises each host from its snapshot: hardware, OS, packages, addresses', () => {
    const h = results.hosts[1]!
    const s = snaps[1]!
    expect(h.name).toBe('srv-0001')
    expect(h.hardware).toMatchObject({vendor: 'HPE', model: 'ProLiant DL380 Gen10', serial: 'SN100001', biosDate: '2021-03-02'})
    expect(h.os).toMatchObject({name: 'Debian GNU/Linux 11 (bullseye)', kernel: '5.10.0-33-amd64', versionId: '11'})
    expect(h.memory.totalBytes).toBe(s.sections.memory.data?.totalBytes)
    const installed = s.sections.packages.data!.items.filter(isInstalled)
    expect(h.packages.count).toBe(installed.length)
    expect(h.packages.items.map((p) => p.name)).toEqual(installed.map((p) => p.name))
    expect(h.ips).not.toContain('127.0.0.1')
    expect(h.filesystems.every((f) => !['proc', 'sysfs'].includes(f.fstype))).toBe(true)
  })

  it('counts as installed what the packages spec calls installed: held packages in, removed ones out', () => {
    const s = structuredClone(snaps[2]!)
    const items = s.sections.packages.data!.items
    const dpkg = items.filter((p) => p.manager === 'dpkg' && p.status === 'ii')
    expect(dpkg.length).toBeGreaterThan(2)
    // as `apt-mark hold` and `apt remove` (configuration kept) leave them
    dpkg[0]!.status = 'hi'
    dpkg[1]!.status = 'rc'
    const h = resultsOf([s]).hosts[0]!
    expect(h.packages.items.map((p) => p.name)).toContain(dpkg[0]!.name)
    expect(h.packages.items.map((p) => p.name)).not.toContain(dpkg[1]!.name)
    expect(h.packages.count).toBe(items.filter(isInstalled).length)
  })

  it('carries every check result with the pack texts in both languages, once per check', () => {
    const h = results.hosts[0]!
    expect(h.results.find((r) => r.check === 'ssh.root-login')?.status).toBe('fail')
    expect(results.hosts[1]!.results.find((r) => r.check === 'ssh.root-login')?.status).toBe('pass')
    const c = results.checks.find((x) => x.id === 'ssh.root-login')!
    expect(c.title.vi).toBe('SSH không cho phép tài khoản root đăng nhập bằng mật khẩu')
    expect(c.remediation.en).toMatch(/PermitRootLogin no/)
    expect(results.packs.map((p) => p.pack)).toEqual(expect.arrayContaining(['linux-server', 'linux-workstation', 'efficiency', 'fleet-sync']))
    expect(results.packs.find((p) => p.pack === 'linux-server')).toMatchObject({checks: results.checks.filter((x) => x.pack === 'linux-server').length})
    expect(results.packs.reduce((n, p) => n + p.checks, 0)).toBe(results.checks.length)
    expect(new Set(results.checks.map((x) => x.id)).size).toBe(results.checks.length)
  })

  it('reports the waiver and the results it waived, and the fleet findings as given', () => {
    expect(results.hosts[1]!.results.find((r) => r.check === 'firewall.active')?.status).toBe('waived')
    expect(results.waivers).toEqual([expect.objectContaining({check: 'firewall.active', expired: false, applied: 1})])
    expect(results.fleet[0]!.outliers.length).toBeGreaterThan(0)
  })

  it('says what the data is worth: failed and stale collections, sections missing and why', () => {
    const dq = results.dataQuality
    expect(dq.hosts).toBe(31)
    expect(dq.byStatus.unreachable).toBe(1)
    expect(dq.issues.filter((i) => i.kind === 'failed')).toEqual([expect.objectContaining({host: hostName(7), status: 'unreachable', reason: expect.stringContaining('ECONNREFUSED')})])
    expect(dq.issues.filter((i) => i.kind === 'stale').map((i) => i.host)).toEqual([hostName(11)])
    expect(results.hosts[7]!.packages.count).toBeNull()
    expect(dq.sections.os!.error).toBe(1)
    expect(dq.sections.os!.ok).toBe(30)
    // a section this machine cannot give is explained for every collected host
    const partial = Object.entries(snaps[0]!.sections).find(([, v]) => v.status !== 'ok')
    if (partial) expect(dq.issues.filter((i) => i.kind === 'section' && i.section === partial[0])).toHaveLength(30)
  })
})
