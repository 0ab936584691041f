import {readFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Results} from '../../src/model/results.js'
import {openStore} from '../../src/store/store.js'
import {readCsv} from '../unit/report/read-csv.js'
import {hatang} from '../support/cli.js'
import {freePort, SshLab} from '../support/sshd.js'

/**
 * Units travel from the hosts file through a real sweep (a loopback sshd, and a host that cannot be reached) into the
 * store, the results and the reports; their names are the inventory's text, and stay text.
 */
const HOSTILE_VI = `Vụ Tổ chức'; DROP TABLE snapshots; --`
const HOSTILE_EN = `<script>window.__pwned=1</script>Personnel`
const VU = {path: 'bo-noi-vu/vu-to-chuc-can-bo', vi: HOSTILE_VI, en: HOSTILE_EN, parents: [{path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'}]}
const HN = {path: 'tỉnh/hà-nội/sở-nội-vụ', vi: 'Sở Nội vụ Hà Nội', en: 'Sở Nội vụ Hà Nội'}

let lab: SshLab
let work: string
let store: string
let audit: ReturnType<typeof hatang>

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sweep-units-'))
  const vu01 = await lab.start('vu01')
  lab.trust(vu01)
  const closed = await freePort()
  const hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(
    hostsFile,
    [
      'units:',
      "  bo-noi-vu: {vi: Bộ Nội vụ, en: Ministry of Home Affairs}",
      `  bo-noi-vu/vu-to-chuc-can-bo: {vi: "${HOSTILE_VI}", en: "${HOSTILE_EN}"}`,
      '  tỉnh/hà-nội/sở-nội-vụ: {vi: Sở Nội vụ Hà Nội}',
      ...lab.hostsDefaults(),
      '  address: 127.0.0.1',
      '  connectTimeout: 3',
      '  unit: bo-noi-vu/vu-to-chuc-can-bo',
      'hosts:',
      `  vu01: {port: ${vu01.port}}`,
      `  hn01: {port: ${closed}, unit: tỉnh/hà-nội/sở-nội-vụ}`,
      '',
    ].join('\n'),
  )
  store = path.join(work, 'hatang.db')
  audit = hatang(['audit', hostsFile, '--quiet', '--store', store, '-o', path.join(work, 'reports'), '-f', 'json,csv,html', '--lang', 'en', '--fail-on', 'none', '--ssh-config', 'none', '--json'], {timeoutMs: 120_000})
}, 180_000)

afterAll(async () => {
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('units through a sweep, the store and the reports', () => {
  it('the stored snapshots carry each host’s unit, collected or not, and the store’s rows its path', async () => {
    expect(audit.status, audit.stderr + audit.stdout).toBe(3) // hn01 cannot be reached
    const s = await openStore(store)
    const snaps = await s.snapshots(1)
    await s.close()
    expect(Object.fromEntries(snaps.map((x) => [x.host.name, [x.host.status, x.host.unit]]))).toEqual({vu01: ['ok', VU], hn01: ['unreachable', HN]})
    const db = new Database(store, {readonly: true})
    const rows = db.prepare('SELECT h.name, s.unit_path FROM snapshots s JOIN hosts h ON h.id = s.host_id ORDER BY h.name').all()
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({n: 1})
    db.close()
    expect(rows).toEqual([
      {name: 'hn01', unit_path: HN.path},
      {name: 'vu01', unit_path: VU.path},
    ])
  })

  it('results.json and hosts.csv of the audit, and of a report from the store, give each host’s unit', () => {
    const fromStore = path.join(work, 'from-store')
    const r = hatang(['report', '1', '--store', store, '-f', 'json,csv,html', '--lang', 'en', '-o', fromStore])
    expect(r.status, r.stderr).toBe(0)
    // the audit names its files with the time (hatang-report-YYYYMMDD-HHMM.json, …-hosts.csv); a report from the store by their plain names
    const audited = (JSON.parse(audit.stdout) as {files: string[]}).files
    const sets = [
      {json: audited.find((f) => f.endsWith('.json')), csv: audited.find((f) => f.endsWith('-hosts.csv')), html: audited.find((f) => f.endsWith('.html'))},
      {json: path.join(fromStore, 'results.json'), csv: path.join(fromStore, 'hosts.csv'), html: path.join(fromStore, 'hatang-report.html')},
    ]
    expect(sets[0], audited.join(' ')).toEqual({json: expect.any(String), csv: expect.any(String), html: expect.any(String)})
    for (const files of sets) {
      const results = JSON.parse(readFileSync(files.json!, 'utf8')) as Results
      expect(Object.fromEntries(results.hosts.map((h) => [h.name, h.unit]))).toEqual({vu01: VU, hn01: HN})
      const csv = readCsv(readFileSync(files.csv!, 'utf8'))
      expect(Object.fromEntries(csv.map((row) => [row.host, [row.unit, row.unit_name]]))).toEqual({vu01: [VU.path, HOSTILE_EN], hn01: [HN.path, HN.en]})
      const html = readFileSync(files.html!, 'utf8')
      expect(html).toContain(`<td title="${VU.path}">&lt;script&gt;window.__pwned=1&lt;/script&gt;Personnel</td>`)
      expect(html).not.toContain(HOSTILE_EN)
    }
  })
})
