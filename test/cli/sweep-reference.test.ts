import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CheckOutcome} from '../../src/runs/check-outcome.js'
import {hatang} from '../support/cli.js'
import {SshLab} from '../support/sshd.js'

/**
 * A group of two loopback hosts that declares a standard file as its reference, through a real sweep into the store:
 * the lab's hosts all report this machine, so a standard that expects another kernel makes every one of them drift,
 * and each output says the group was judged against the standard. The stored run keeps the standard: judged again
 * after the file is gone, it gives the same findings.
 */
let lab: SshLab
let work: string
let store: string
let audit: ReturnType<typeof hatang>
const STANDARD = 'lab-standard'
const EXPECTED_KERNEL = `${os.release()}-not-this-one`

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sweep-reference-'))
  const [a, b] = [await lab.start('lab1'), await lab.start('lab2')]
  lab.trust(a!)
  lab.trust(b!)
  mkdirSync(path.join(work, 'standards'))
  writeFileSync(path.join(work, 'standards', 'lab.yaml'), [`name: ${STANDARD}`, `kernel: '${EXPECTED_KERNEL}'`, ''].join('\n'))
  const hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(
    hostsFile,
    [
      ...lab.hostsDefaults(),
      '  address: 127.0.0.1',
      'groups:',
      '  lab:',
      '    reference: {file: standards/lab.yaml}',
      '    hosts:',
      `      lab1: {port: ${a!.port}}`,
      `      lab2: {port: ${b!.port}}`,
      '',
    ].join('\n'),
  )
  store = path.join(work, 'hatang.db')
  audit = hatang(['audit', hostsFile, '--quiet', '--store', store, '-o', path.join(work, 'reports'), '-f', 'json', '--lang', 'en', '--fail-on', 'none', '--ssh-config', 'none', '--json'], {timeoutMs: 120_000})
}, 180_000)

afterAll(async () => {
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

const judged = (): CheckOutcome => {
  const r = hatang(['check', '1', '--store', store, '--pack', 'fleet-sync', '--fail-on', 'none', '--json'])
  expect(r.status, r.stderr + r.stdout).toBe(0)
  return JSON.parse(r.stdout) as CheckOutcome
}

describe('a group judged against its standard file, through a sweep, the store and the reports', () => {
  it('every lab host drifts from the standard’s kernel; what it does not state is unknown, never pass', () => {
    expect(audit.stderr).not.toMatch(/Error/)
    const {fleet} = judged()
    const kernel = fleet.find((f) => f.check === 'sync.kernel' && f.scope.name === 'lab')
    expect(kernel).toMatchObject({
      status: 'fail',
      rule: 'reference',
      reference: {kind: 'standard', name: STANDARD},
      majority: {value: EXPECTED_KERNEL, hosts: []},
      outliers: [
        {host: 'lab1', value: os.release()},
        {host: 'lab2', value: os.release()},
      ],
      why: {t: 'fleet.standardDiffers', p: {standard: STANDARD, value: EXPECTED_KERNEL}},
    })
    const release = fleet.find((f) => f.check === 'sync.os-release' && f.scope.name === 'lab')
    expect(release).toMatchObject({status: 'unknown', rule: 'reference', why: {t: 'fleet.standardSilent'}})
    // nothing of group lab was judged by its majority
    expect(fleet.filter((f) => f.scope.name === 'lab' && f.rule === 'majority')).toEqual([])
  })

  it('the stored run keeps the standard: judged again without the file, the findings are the same', () => {
    const before = judged().fleet
    rmSync(path.join(work, 'standards'), {recursive: true})
    expect(judged().fleet).toEqual(before)
  })

  it('the terminal, the HTML, Markdown and CSV reports say which rule judged the group, in English and Vietnamese', () => {
    const text = hatang(['check', '1', '--store', store, '--pack', 'fleet-sync', '--fail-on', 'none', '--lang', 'en'], {env: {NO_COLOR: '1'}})
    expect(text.stdout).toMatch(new RegExp(`sync\\.kernel .* — group lab: kernel, against the standard ${STANDARD}`))
    // an unknown finding of the group says why: the standard does not state the OS release
    expect(text.stdout).toMatch(new RegExp(`sync\\.os-release .* — group lab: OS release, against the standard ${STANDARD}\\n\\s+\\? the standard ${STANDARD} does not state OS release`))
    for (const [lang, words] of [
      ['en', `against the standard ${STANDARD}`],
      ['vi', `so với tiêu chuẩn ${STANDARD}`],
    ] as const) {
      const out = path.join(work, `report-${lang}`)
      const r = hatang(['report', '1', '--store', store, '--pack', 'fleet-sync', '-f', 'html,md,csv', '--lang', lang, '-o', out])
      expect(r.status, r.stderr).toBe(0)
      const files = readdirSync(out)
      const read = (ext: string) => readFileSync(path.join(out, files.find((f) => f.endsWith(ext))!), 'utf8')
      expect(read('.html')).toContain(words)
      expect(read('.md').replaceAll('\\', '')).toContain(words)
      expect(files.filter((f) => f.endsWith('.csv')).map((f) => readFileSync(path.join(out, f), 'utf8')).join('\n')).toContain(words)
    }
  })
})

/**
 * Three loopback hosts of one group, one of them hardened: its sshd runs with stricter settings (given on its command
 * line, which hatang reads as the running daemon's). Judged by the majority, the hardened host is the outlier; with
 * `reference: hard` declared, the two others are, and the hardened one never.
 */
describe('a group with a declared reference host, on the loopback fleet', () => {
  let fleetLab: SshLab
  let dir: string
  const HARDENED = ['-o', 'MaxAuthTries=3', '-o', 'LoginGraceTime=30']

  const sshdFinding = (hostsFile: string, dbName: string) => {
    const db = path.join(dir, dbName)
    const a = hatang(['audit', hostsFile, '--quiet', '--store', db, '-o', path.join(dir, `r-${dbName}`), '-f', 'json', '--fail-on', 'none', '--ssh-config', 'none'], {timeoutMs: 120_000})
    expect(a.status, a.stderr).toBe(0)
    const r = hatang(['check', '1', '--store', db, '--pack', 'fleet-sync', '--fail-on', 'none', '--json'])
    expect(r.status, r.stderr).toBe(0)
    const {fleet} = JSON.parse(r.stdout) as CheckOutcome
    // the settings the hardened daemon was started with (each lab host also has its own port, key and file paths:
    // three values of which none is a majority)
    return fleet.filter((f) => f.check === 'sync.sshd-settings' && f.scope.name === 'web' && f.status === 'fail' && /maxauthtries|logingracetime/.test(f.subject))
  }

  beforeAll(async () => {
    fleetLab = new SshLab()
    dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-reference-host-'))
    const [hard, soft1, soft2] = await Promise.all([fleetLab.start('hard', {args: HARDENED}), fleetLab.start('soft1'), fleetLab.start('soft2')])
    for (const s of [hard, soft1, soft2]) fleetLab.trust(s!)
    const group = (reference: boolean) => [
      ...fleetLab.hostsDefaults(),
      '  address: 127.0.0.1',
      'groups:',
      '  web:',
      ...(reference ? ['    reference: hard'] : []),
      '    hosts:',
      `      hard: {port: ${hard!.port}}`,
      `      soft1: {port: ${soft1!.port}}`,
      `      soft2: {port: ${soft2!.port}}`,
      '',
    ]
    writeFileSync(path.join(dir, 'majority.yaml'), group(false).join('\n'))
    writeFileSync(path.join(dir, 'reference.yaml'), group(true).join('\n'))
  }, 60_000)

  afterAll(async () => {
    await fleetLab?.cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('by the majority, the hardened host is the outlier; against the declared reference, the two unhardened hosts are', () => {
    const byMajority = sshdFinding(path.join(dir, 'majority.yaml'), 'majority.db')
    expect(byMajority.map((f) => f.subject.split(' ')[1]).sort()).toEqual(['logingracetime', 'maxauthtries'])
    for (const f of byMajority) {
      expect(f.rule).toBe('majority')
      expect(f.outliers.map((o) => o.host)).toEqual(['hard'])
    }
    const byReference = sshdFinding(path.join(dir, 'reference.yaml'), 'reference.db')
    // (a group with a reference is not split by release: its subjects name no release)
    expect(byReference.map((f) => f.subject.split(' ')[1]).sort()).toEqual(['logingracetime', 'maxauthtries'])
    for (const f of byReference) {
      expect(f).toMatchObject({rule: 'reference', reference: {kind: 'host', name: 'hard'}})
      expect(f.outliers.map((o) => o.host).sort()).toEqual(['soft1', 'soft2'])
    }
    expect(byReference.find((f) => f.subject.includes('maxauthtries'))).toMatchObject({majority: {value: '3', hosts: ['hard']}})
  }, 240_000)
})
