import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Results} from '../../src/model/results.js'
import {hatang} from '../support/cli.js'
import {fleet} from '../unit/report/fleet.js'
import {writeHistoryStore} from '../unit/report/history-store.js'

let dir: string
let snaps: string

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-report-'))
  snaps = path.join(dir, 'sweep')
  mkdirSync(snaps)
  for (const s of fleet(6)) writeFileSync(path.join(snaps, `${s.host.name}.json`), JSON.stringify(s))
  writeFileSync(path.join(snaps, 'sweep.json'), JSON.stringify({hostsFile: '/etc/hatang/hosts.yaml'}))
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('hatang report', () => {
  it('judges a sweep folder and writes every format, listing the files with --json', () => {
    const out = path.join(dir, 'all')
    const r = hatang(['report', snaps, '-o', out, '--json'], {env: {LANG: 'vi_VN.UTF-8', LC_ALL: '', HATANG_LANG: ''}})
    expect(r.status, r.stderr).toBe(0)
    const {files} = JSON.parse(r.stdout) as {files: {format: string; file: string; bytes: number}[]}
    const names = ['hatang-report.html', 'results.json', 'hosts.csv', 'findings.csv', 'packages.csv', 'summary.md', 'junit.xml']
    expect(files.map((f) => path.basename(f.file))).toEqual(names)
    expect(readdirSync(out).sort()).toEqual([...names].sort())
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results
    expect(results.hosts.map((h) => h.name)).toEqual(['srv-0000', 'srv-0001', 'srv-0002', 'srv-0003', 'srv-0004', 'srv-0005'])
    expect(results.run).toMatchObject({hostsFile: '/etc/hatang/hosts.yaml', toolVersion: expect.any(String), operator: expect.stringContaining('@')})
    expect(readFileSync(path.join(out, 'hatang-report.html'), 'utf8')).toContain('Báo cáo rà soát hạ tầng')
  })

  it('renders a results.json again as it is, in another language', () => {
    const out = path.join(dir, 'again')
    const r = hatang(['report', path.join(dir, 'all', 'results.json'), '--format', 'md,json', '--lang', 'en', '-o', out])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/summary\.md/)
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/^# Infrastructure review report/)
    expect(readFileSync(path.join(out, 'results.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'all', 'results.json'), 'utf8'))
  })

  it('applies waivers and shows them, warning about a waiver for a check no pack has', () => {
    const waivers = path.join(dir, 'waivers.yaml')
    writeFileSync(
      waivers,
      'waivers:\n  - check: firewall.active\n    groups: [db]\n    reason: "Máy chủ CSDL sau tường lửa mạng"\n    approver: Nguyễn Văn A\n    expires: 2999-12-31\n' +
        '  - check: no.such-check\n    hosts: ["*"]\n    reason: typo\n    approver: B\n    expires: 2999-12-31\n',
    )
    const out = path.join(dir, 'waived')
    const r = hatang(['report', snaps, '--waivers', waivers, '--format', 'json,html', '-o', out])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toContain("waivers.yaml:7 waives 'no.such-check', a check no loaded pack has")
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results
    // db hosts: srv-0001 (firewall off) and srv-0005 (firewall off)
    expect(results.waivers[0]).toMatchObject({check: 'firewall.active', approver: 'Nguyễn Văn A', expired: false, applied: 2})
    expect(results.hosts[1]!.results.find((x) => x.check === 'firewall.active')?.status).toBe('waived')
    expect(readFileSync(path.join(out, 'hatang-report.html'), 'utf8')).toContain('<td>Máy chủ CSDL sau tường lửa mạng</td><td>Nguyễn Văn A</td>')
    const missing = hatang(['report', snaps, '--waivers', path.join(dir, 'none.yaml'), '-o', out])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/none\.yaml: cannot read the waivers file \(ENOENT\)/)
  })

  it('takes an organisation’s templates and labels by file name', () => {
    const brand = path.join(dir, 'brand')
    mkdirSync(path.join(brand, 'locales'), {recursive: true})
    writeFileSync(path.join(brand, 'locales', 'en.json'), JSON.stringify({title: 'Ministry of Examples — infrastructure review'}))
    writeFileSync(path.join(brand, 'method.eta'), '<section id="method"><p>Audited by the <%= it.results.run.operator %> team</p></section>')
    const out = path.join(dir, 'brand-out')
    const r = hatang(['report', snaps, '--format', 'html', '--lang', 'en', '--template', brand, '-o', out])
    expect(r.status, r.stderr).toBe(0)
    const html = readFileSync(path.join(out, 'hatang-report.html'), 'utf8')
    expect(html).toContain('<h1>Ministry of Examples — infrastructure review</h1>')
    expect(html).toMatch(/<p>Audited by the \S+@\S+ team<\/p>/)
    expect(html).toContain('id="summary"')
  })

  it('exits 2 on bad input, saying where, what and what next, and writes nothing', () => {
    const out = path.join(dir, 'none')
    const badFormat = hatang(['report', snaps, '--format', 'html,pdf', '-o', out])
    expect(badFormat.status).toBe(2)
    expect(badFormat.stderr).toMatch(/--format html,pdf: unknown format pdf — choose from html, json, csv, md, junit/)

    const results = JSON.parse(readFileSync(path.join(dir, 'all', 'results.json'), 'utf8')) as Results
    ;(results.hosts[1] as unknown as {name: number}).name = 42
    const broken = path.join(dir, 'broken.json')
    const text = JSON.stringify(results, null, 1)
    writeFileSync(broken, text)
    const line = text.split('\n').findIndex((l) => l.includes('"name": 42')) + 1
    const r = hatang(['report', broken, '-o', out])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`broken.json:${line} /hosts/1/name must be string`)
    expect(r.stderr).toMatch(/ — was it written by another version of hatang/)

    writeFileSync(broken, '{"kind": "hatang-results",\n  "oops": }')
    const j = hatang(['report', broken, '-o', out])
    expect(j.status).toBe(2)
    expect(j.stderr).toMatch(/broken\.json:2:\d+ is not valid JSON/)

    const missing = hatang(['report', path.join(dir, 'nope'), '-o', out])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/nope: no such file or folder — name snapshot files or the folder a sweep wrote/)

    const badTemplate = path.join(dir, 'bad-template')
    mkdirSync(badTemplate)
    writeFileSync(path.join(badTemplate, 'summary.eta'), '<% if (it.x { %>')
    const t = hatang(['report', snaps, '--format', 'html,csv', '--template', badTemplate, '-o', out])
    expect(t.status).toBe(2)
    expect(t.stderr).toMatch(/--template .*bad-template: summary\.eta|--template .*bad-template\/summary\.eta/)
    writeFileSync(path.join(badTemplate, 'summary.eta'), '<section id="summary"></section>')
    mkdirSync(path.join(badTemplate, 'locales'))
    writeFileSync(path.join(badTemplate, 'locales', 'vi.json'), '{"title": 1}')
    const l = hatang(['report', snaps, '--format', 'html', '--lang', 'vi', '--template', badTemplate, '-o', out])
    expect(l.status).toBe(2)
    expect(l.stderr).toMatch(/locales\/vi\.json: must be an object of labels, each a string — fix the template/)
    expect(() => readdirSync(out)).toThrow()
  })

  it('exits 5 when the output folder cannot be written', () => {
    const r = hatang(['report', snaps, '--format', 'md', '-o', '/proc/hatang-report'])
    expect(r.status).toBe(5)
    expect(r.stderr).toMatch(/^Error: cannot write into \/proc\/hatang-report: \/proc\/hatang-report cannot be made — choose another folder with -o$/m)
  })
})

describe('hatang report RUN --store', () => {
  it('renders a stored run with its history; an unknown run exits 2 naming the list command', async () => {
    const file = path.join(dir, 'store', 'hatang.db')
    await writeHistoryStore(file)
    const out = path.join(dir, 'run-2')
    const r = hatang(['report', '2', '--store', file, '--format', 'json,html,md', '--lang', 'vi', '-o', out])
    expect(r.status, r.stderr).toBe(0)
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results
    expect(results.schemaVersion).toBe('1.7.0')
    expect(results.run).toMatchObject({operator: 'auditor', hostsFile: '/etc/hatang/hosts.yaml', source: expect.stringMatching(/^run 2 \(sweep\) in .*hatang\.db$/)})
    expect(results.hosts.map((h) => h.name)).toEqual(['srv-0000', 'srv-0001', 'srv-0002', 'srv-0003', 'srv-0004', 'srv-0099'])
    expect(results.history!.trend.map((t) => t.run)).toEqual([1, 2])
    expect(results.history!.changes!.hosts).toEqual({appeared: ['srv-0099'], disappeared: ['srv-0005'], compared: 5})
    const html = readFileSync(path.join(out, 'hatang-report.html'), 'utf8')
    expect(html).toContain('<h2>Thay đổi kể từ lần chạy trước</h2>')
    expect(html).toContain('<svg class="trend"')
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('## Thay đổi kể từ lần chạy trước')

    // run 3 was stored without judging: judged now with the packs asked for
    const judged = hatang(['report', '3', '--store', file, '--pack', 'linux-server', '--format', 'json', '-o', path.join(dir, 'run-3'), '--json'])
    expect(judged.status, judged.stderr).toBe(0)
    const r3 = JSON.parse(readFileSync(path.join(dir, 'run-3', 'results.json'), 'utf8')) as Results
    expect(r3.packs.map((p) => p.pack)).toEqual(['linux-server'])
    expect(r3.hosts[0]!.results.length).toBeGreaterThan(0)
    expect(r3.history!.changes!.findingsNote).toBe('run 3 was not judged (no check results stored)')

    const unknown = hatang(['report', '9', '--store', file, '-o', path.join(dir, 'run-9')])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/no run 9 in .*hatang\.db/)
    expect(unknown.stderr).toContain("'hatang runs list' shows the stored runs")
    expect(() => readdirSync(path.join(dir, 'run-9'))).toThrow()
    const noStore = hatang(['report', '2', '--store', path.join(dir, 'nowhere.db'), '-o', path.join(dir, 'run-9')])
    expect(noStore.status).toBe(2)
    expect(noStore.stderr).toMatch(/no store at .*nowhere\.db/)
  })

  it('renders a run an audit judged with waivers with exactly those waivers: by group, and matching nothing, included', () => {
    const work = path.join(dir, 'waived-audit')
    mkdirSync(work)
    // this machine as a host of group lab; a pack whose one check fails wherever the OS is read
    writeFileSync(path.join(work, 'hosts.yaml'), 'groups:\n  lab:\n    hosts:\n      here:\n        transport: local\n')
    const text = (t: string) => `{vi: ${t}, en: ${t}}`
    writeFileSync(
      path.join(work, 'rules.yaml'),
      ['pack: test-rules', 'version: 1.0.0', `title: ${text('Test rules')}`, 'checks:', '  - id: test.os-family', `    title: ${text('OS family is NoSuchOS')}`,
        `    rationale: ${text('a check that fails')}`, `    remediation: ${text('none')}`, '    severity: low', '    assert: {path: os.family, equals: NoSuchOS}', ''].join('\n'),
    )
    writeFileSync(
      path.join(work, 'waivers.yaml'),
      'waivers:\n  - check: test.os-family\n    groups: [lab]\n    reason: Lab machines run another OS\n    approver: Nguyễn Văn A\n    expires: 2999-12-31\n' +
        '  - check: test.os-family\n    hosts: [no-such-host]\n    reason: Matches nothing\n    approver: Trần Thị B\n    expires: 2999-12-31\n',
    )
    const store = path.join(work, 'hatang.db')
    const common = ['--pack', path.join(work, 'rules.yaml'), '--store', store, '--format', 'json']
    const audit = hatang(['audit', path.join(work, 'hosts.yaml'), '--waivers', path.join(work, 'waivers.yaml'), ...common, '-o', path.join(work, 'audit'), '--quiet', '--json'], {timeoutMs: 120_000})
    expect(audit.status, audit.stderr).toBe(0)
    const audited = JSON.parse(readFileSync((JSON.parse(audit.stdout) as {files: string[]}).files[0]!, 'utf8')) as Results
    expect(audited.waivers.map((w) => [w.groups, w.hosts, w.applied])).toEqual([
      [['lab'], undefined, 1],
      [undefined, ['no-such-host'], 0],
    ])

    const r = hatang(['report', '1', ...common, '-o', path.join(work, 'report')])
    expect(r.status, r.stderr).toBe(0)
    const reported = JSON.parse(readFileSync(path.join(work, 'report', 'results.json'), 'utf8')) as Results
    expect(reported.waivers).toEqual(audited.waivers)
    expect(reported.hosts[0]!.results).toEqual(audited.hosts[0]!.results)
  }, 180_000)
})
