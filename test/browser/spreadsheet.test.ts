import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {writeReports} from '../../src/runs/report-files.js'
import {withData} from '../support/snapshots.js'
import {fleet, resultsOf} from '../unit/report/fleet.js'
import {readZipEntry, sharedStrings} from './read-zip.js'

let dir: string

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-xlsx-'))
  const snaps = fleet(5)
  snaps[2] = withData(snaps[2]!, 'system', {vendor: 'Công ty Cổ phần Máy tính Đồng Nai', model: 'Máy chủ "Ưu việt", đời 2024'})
  snaps[2]!.host.groups = ['phòng-kế-toán']
  snaps[3] = withData(snaps[3]!, 'system', {model: '=SUM(1,2)'})
  await writeReports(resultsOf(snaps), {formats: ['csv'], lang: 'vi', dir})
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

// LibreOffice's headless import takes the system's 8-bit charset unless told (it ignores the BOM there; its
// import dialog and Excel read the BOM): --infilter=CSV:44,34,76 says comma, double quote, UTF-8.
describe('CSV in a spreadsheet', () => {
  it('converts to xlsx with LibreOffice, Vietnamese diacritics intact', () => {
    const profile = path.join(dir, 'lo-profile')
    for (const csv of ['hosts.csv', 'findings.csv']) {
      const r = spawnSync(
        'libreoffice',
        [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'xlsx', '--infilter=CSV:44,34,76,1', '--outdir', dir, path.join(dir, csv)],
        {encoding: 'utf8', timeout: 120_000, env: {...process.env, HOME: dir}},
      )
      expect(r.status, r.stderr).toBe(0)
    }
    const hosts = sharedStrings(readFileSync(path.join(dir, 'hosts.xlsx')))
    expect(hosts).toContain('Công ty Cổ phần Máy tính Đồng Nai')
    expect(hosts).toContain('Máy chủ "Ưu việt", đời 2024')
    expect(hosts).toContain('phòng-kế-toán')
    expect(hosts).toContain('host') // the BOM is not part of the first header
    const findings = sharedStrings(readFileSync(path.join(dir, 'findings.xlsx')))
    expect(findings).toContain('SSH không cho phép tài khoản root đăng nhập bằng mật khẩu')
    expect(findings.some((s) => s.startsWith('Đặt "PermitRootLogin no"'))).toBe(true)
  })

  it('opens no formula a host sent', () => {
    const sheet = readZipEntry(readFileSync(path.join(dir, 'hosts.xlsx')), 'xl/worksheets/sheet1.xml').toString('utf8')
    expect(sheet).not.toMatch(/<f[ >]/)
    expect(sharedStrings(readFileSync(path.join(dir, 'hosts.xlsx'))).some((x) => x.includes('SUM(1,2)'))).toBe(true)
  })
})
