import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadPacks} from '../../src/engine/checks/load-packs.js'
import type {Results} from '../../src/model/results.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {sectionCatalog} from '../../src/model/sections/index.js'
import {validateSnapshot} from '../../src/model/validate.js'
import type {AuditOutcome} from '../../src/report/audit-summary.js'
import type {SweepReport} from '../../src/report/sweep-summary.js'
import type {CheckOutcome} from '../../src/runs/check-outcome.js'
import {openStore} from '../../src/store/store.js'
import {hatang} from '../support/cli.js'
import {SshLab} from '../support/sshd.js'

/**
 * --sections and --skip end to end: this machine's collect, a sweep of a loopback sshd whose snapshots are then checked,
 * and an audit into a store and reports. A section left out is `skipped` with its reason, its checks are unknown.
 */
const ids = sectionCatalog.map((s) => s.id)
type Sections = Record<string, {status: string; reason?: string; data?: unknown}>

let lab: SshLab
let work: string
let hostsFile: string

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sections-'))
  const sel01 = await lab.start('sel01')
  lab.trust(sel01)
  hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(hostsFile, [...lab.hostsDefaults(), '  address: 127.0.0.1', '  connectTimeout: 5', 'hosts:', `  sel01: {port: ${sel01.port}}`, ''].join('\n'))
}, 60_000)

afterAll(async () => {
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('hatang collect --skip / --sections', () => {
  it('--skip updates,packages: those two are skipped with the flag in their reason, every other section is read', () => {
    const r = hatang(['collect', '--skip', 'updates,packages', '--json', '--quiet'])
    expect(r.status, r.stderr).toBe(0)
    const snap = JSON.parse(r.stdout) as Snapshot
    validateSnapshot(snap)
    const sections = snap.sections as unknown as Sections
    const reason = 'not collected: skipped (--skip packages,updates)'
    expect(sections.updates).toEqual({status: 'skipped', version: expect.any(Number), reason, source: 'probe', durationMs: 0})
    expect(sections.packages).toEqual({status: 'skipped', version: expect.any(Number), reason, source: 'probe', durationMs: 0})
    expect(Object.keys(sections)).toEqual(ids)
    expect(Object.entries(sections).filter(([, s]) => s.status === 'skipped').map(([id]) => id)).toEqual(['packages', 'updates'])
    // read like any collection: the OS, the hostname, the sshd this machine may or may not run
    expect(sections.os!.status).toBe('ok')
    expect(sections.identity!.data).toMatchObject({hostname: os.hostname()})
    expect(snap.meta.selection).toEqual({skip: ['packages', 'updates'], skipped: ['packages', 'updates']})
    expect(snap.meta.probes.map((p) => p.id)).toEqual(ids.filter((id) => id !== 'packages' && id !== 'updates'))
  })

  it('the summary names what was skipped and why, on one line', () => {
    const r = hatang(['collect', '--sections', 'sshd,TimeSync', '--quiet', '--no-native'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain(`sections skipped (--sections sshd,timeSync): ${ids.filter((id) => !['identity', 'os', 'sshd', 'timeSync'].includes(id)).join(', ')}`)
    expect(r.stdout).toMatch(/^Software +skipped$/m)
  })

  it('an unknown section exits 2 before anything is collected: the id, the closest one, every valid one; nothing written', () => {
    const out = path.join(work, 'never.json')
    const r = hatang(['collect', '--sections', 'os,packges', '-o', out])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`Error: --sections os,packges: unknown section 'packges' — did you mean 'packages'? Or choose from: ${ids.join(', ')}\n`)
    expect(r.stdout).toBe('')
    expect(existsSync(out)).toBe(false)
    const j = hatang(['collect', '--sections', 'nope', '--json', '-o', out])
    expect(j.status).toBe(2)
    expect(JSON.parse(j.stdout)).toEqual({error: {message: `--sections nope: unknown section 'nope' — choose from: ${ids.join(', ')}`, code: 'usage', exit: 2}})
    expect(existsSync(out)).toBe(false)
    const both = hatang(['collect', '--sections', 'os', '--skip', 'updates'])
    expect(both.status).toBe(2)
    expect(both.stderr).toMatch(/--sections and --skip cannot be used together/)
    const os = hatang(['collect', '--skip', 'os'])
    expect(os.status).toBe(2)
    expect(os.stderr).toMatch(/identity and os are always collected .* leave os out of --skip/)
  })
})

describe('hatang sweep --sections os,packages against a loopback sshd, then check', () => {
  let report: SweepReport
  let snap: Snapshot
  let out: string

  beforeAll(() => {
    out = path.join(work, 'sweep')
    const r = hatang(['sweep', hostsFile, '--sections', 'os,packages', '-o', out, '--json', '--quiet', '--ssh-config', 'none'], {timeoutMs: 120_000})
    expect(r.status, r.stderr + r.stdout).toBe(0)
    report = JSON.parse(r.stdout) as SweepReport
    snap = JSON.parse(readFileSync(report.hosts[0]!.file, 'utf8')) as Snapshot
  }, 150_000)

  it('records only os and packages (and identity), the others skipped; sweep.json and --json carry the selection', () => {
    validateSnapshot(snap)
    const skipped = ids.filter((id) => !['identity', 'os', 'packages'].includes(id))
    const sections = snap.sections as unknown as Sections
    expect(Object.entries(sections).filter(([, s]) => s.status === 'skipped').map(([id]) => id)).toEqual(skipped)
    for (const id of skipped) expect(sections[id]!.reason).toBe('not collected: skipped (--sections os,packages)')
    expect(sections.os!.status).toBe('ok')
    expect(sections.packages!.status).toBe('ok')
    expect(snap.meta.probes.map((p) => p.id)).toEqual(['identity', 'os', 'packages'])
    const selection = {sections: ['os', 'packages'], skipped}
    expect(snap.meta.selection).toEqual(selection)
    expect(report.selection).toEqual(selection)
    expect(JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')).selection).toEqual(selection)
    expect(snap.host.status).toBe('ok')
  })

  it('judged, a check on a skipped section is unknown with that reason, never pass or fail; coverage drops below the floor (exit 6)', () => {
    const r = hatang(['check', out, '--json', '--fail-on', 'none'])
    expect(r.status, r.stderr).toBe(6)
    const outcome = JSON.parse(r.stdout) as CheckOutcome
    const results = outcome.hosts[0]!.results
    const skipped = new Set(snap.meta.selection!.skipped)
    // checks whose assertion reads one section, named at its root: those on a skipped section
    const onSkipped = loadPacks()
      .flatMap((p) => p.checks)
      .filter((c) => typeof (c.assert as {path?: unknown}).path === 'string' && skipped.has((c.assert as {path: string}).path.split('.')[0]!))
      .map((c) => c.id)
    expect(onSkipped.length).toBeGreaterThan(20)
    for (const id of onSkipped) {
      const result = results.find((x) => x.check === id)!
      expect(['unknown', 'not-applicable'], id).toContain(result.status)
      if (result.status === 'unknown') expect(result.reason, id).toMatch(/^[a-zA-Z]+: not collected: skipped \(--sections os,packages\)$/)
    }
    // and none judged pass or fail says anything was skipped
    for (const x of results.filter((y) => y.status === 'pass' || y.status === 'fail')) expect(x.reason ?? '', x.check).not.toMatch(/skipped/)
    expect(results.filter((x) => x.status === 'unknown' && /: not collected: skipped/.test(x.reason ?? '')).length).toBeGreaterThan(50)
    expect(outcome.scores.hosts[0]!.coverage).toBeLessThan(outcome.evidence.minCoverage)
  })
})

describe('hatang audit --skip sshd', () => {
  it('stores and reports the selection; a bad id exits 2 before any store is opened', async () => {
    const store = path.join(work, 'hatang.db')
    const reports = path.join(work, 'reports')
    const bad = hatang(['audit', hostsFile, '--skip', 'sshd,fierwall', '--store', store, '-o', reports, '--quiet', '--ssh-config', 'none'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/unknown section 'fierwall' — did you mean 'firewall'\?/)
    expect(existsSync(store)).toBe(false)
    expect(existsSync(reports)).toBe(false)

    const r = hatang(['audit', hostsFile, '--skip', 'sshd', '--store', store, '-o', reports, '-f', 'json,md,html', '--fail-on', 'none', '--min-coverage', '0', '--quiet', '--ssh-config', 'none', '--json'], {timeoutMs: 150_000})
    expect(r.status, r.stderr + r.stdout).toBe(0)
    const outcome = JSON.parse(r.stdout) as AuditOutcome
    expect(outcome.selection).toEqual({skip: ['sshd'], skipped: ['sshd']})
    const s = await openStore(store)
    const [stored] = await s.snapshots(1)
    await s.close()
    expect(stored!.meta.selection).toEqual({skip: ['sshd'], skipped: ['sshd']})
    expect(stored!.sections.sshd).toMatchObject({status: 'skipped', reason: 'not collected: skipped (--skip sshd)'})
    const file = (ext: string) => outcome.files.find((f) => f.endsWith(ext))!
    const results = JSON.parse(readFileSync(file('.json'), 'utf8')) as Results
    expect(results.run.selection).toEqual({asked: ['--skip sshd'], skipped: ['sshd']})
    expect(results.dataQuality.sections.sshd).toMatchObject({skipped: 1, ok: 0})
    expect(results.dataQuality.sections.os!.skipped).toBeUndefined()
    expect(results.hosts[0]!.results.filter((x) => x.check.startsWith('ssh.')).every((x) => x.status === 'unknown' && x.reason === 'sshd: not collected: skipped (--skip sshd)')).toBe(true)
    expect(readFileSync(file('.md'), 'utf8')).toContain('Sections skipped: sshd (`--skip sshd`)')
    expect(readFileSync(file('.html'), 'utf8')).toMatch(/<dt>Sections skipped<\/dt><dd class="selection">sshd \(<code>--skip sshd<\/code>\)<\/dd>/)
  }, 180_000)
})
