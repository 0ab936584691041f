import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {loadEolData} from '../../../src/engine/checks/eol.js'
import {isCollected} from '../../../src/model/host-status.js'
import type {Results} from '../../../src/model/results.js'
import {renderFindingsCsv, renderHostsCsv, renderPackagesCsv} from '../../../src/report/render-csv.js'
import {renderHtml} from '../../../src/report/render-html.js'
import {renderJunit} from '../../../src/report/render-junit.js'
import {renderMarkdown} from '../../../src/report/render-markdown.js'
import {withData} from '../../support/snapshots.js'
import {fleet, kernelDrift, resultsOf} from './fleet.js'
import {readCsv} from './read-csv.js'

let results: Results

beforeAll(() => {
  const snaps = fleet(12)
  snaps[3] = withData(snaps[3]!, 'system', {model: '=HYPERLINK("http://x","y"), "quoted"\r\nline'})
  results = resultsOf(snaps, {fleet: [kernelDrift(snaps)]})
})

describe('CSV', () => {
  it('is RFC 4180 with CRLF and a UTF-8 byte order mark, one row per host', () => {
    const text = renderHostsCsv(results, 'vi')
    expect(text.startsWith('\ufeffhost,address,groups,status')).toBe(true)
    expect(text.replace(/"[^"]*"/g, '').split('\n').every((l, i, all) => i === all.length - 1 || l.endsWith('\r'))).toBe(true)
    const rows = readCsv(text)
    expect(rows).toHaveLength(12)
    expect(rows[1]).toMatchObject({host: 'srv-0001', vendor: 'HPE', os: 'Debian GNU/Linux 11 (bullseye)', status: 'ok'})
    // a formula is neutralised, quotes and line breaks survive
    expect(rows[3]!.model).toBe(`'=HYPERLINK("http://x","y"), "quoted"\r\nline`)
  })

  it('gives each collected host its coverage beside its score in hosts.csv, and a host not collected neither', () => {
    const rows = readCsv(renderHostsCsv(results, 'en'))
    expect(rows.map((r) => r.host)).toEqual(results.hosts.map((h) => h.name))
    const collected = results.hosts.filter((h) => isCollected(h.status))
    expect(collected.length).toBeGreaterThan(0)
    expect(collected.length).toBeLessThan(results.hosts.length)
    results.hosts.forEach((h, i) => {
      if (!isCollected(h.status)) return expect(rows[i]).toMatchObject({score: '', coverage_percent: ''})
      expect(h.score.coverage).toBeGreaterThan(0)
      expect(rows[i]).toMatchObject({score: String(h.score.score), coverage_percent: String(h.score.coverage)})
    })
  })

  it('lists findings with their titles in the chosen language, and fleet outliers', () => {
    const rows = readCsv(renderFindingsCsv(results, 'vi'))
    expect(rows.find((r) => r.host === 'srv-0000' && r.check === 'ssh.root-login')).toMatchObject({severity: 'high', status: 'fail', title: 'SSH không cho phép tài khoản root đăng nhập bằng mật khẩu'})
    expect(rows.some((r) => r.check === 'sync.kernel')).toBe(true)
  })

  it('lists every installed package of every host', () => {
    const rows = readCsv(renderPackagesCsv(results))
    expect(rows.length).toBe(results.hosts.reduce((n, h) => n + h.packages.items.length, 0))
    expect(rows[0]).toMatchObject({host: 'srv-0000', manager: expect.any(String), package: expect.any(String)})
  })
})

describe('JUnit', () => {
  it('has a testsuite per host, a testcase per check, failures with their reason', () => {
    const xml = renderJunit(results)
    expect(xml.match(/<testsuite /g)).toHaveLength(12 + 1) // and the fleet's
    const first = xml.slice(xml.indexOf('<testsuite name="srv-0000"'), xml.indexOf('</testsuite>'))
    expect(first.match(/<testcase /g)).toHaveLength(results.hosts[0]!.results.length)
    expect(first).toMatch(/<failure type="high" message="sshd\.permitRootLogin is &quot;yes&quot;/)
    expect(xml).toMatch(/<testsuite name="srv-0007"[^>]*errors="1"/)
    expect(xml).toContain('<error type="not-collected" message="unreachable: connect ECONNREFUSED')
    expect(xml).toMatch(/<testsuite name="fleet" tests="1" failures="1"/)
    expect(xml).toMatch(/<testcase classname="fleet\.group\.web" name="sync\.kernel kernel"><failure type="medium" message="2 host\(s\) differ from 5\.10\.0-33-amd64">srv-0000: 6\.1\.0-28-amd64\nsrv-0008: 6\.12\.12-amd64<\/failure>/)
  })
})

describe('Markdown', () => {
  it('sums up score, hosts by status and top risks in the chosen language', () => {
    const md = renderMarkdown(results, 'vi')
    expect(md).toMatch(/^# Báo cáo rà soát hạ tầng/)
    expect(md).toContain('Chưa thu thập được: 1')
    expect(md).toMatch(/\*\*Cao\*\* SSH không cho phép tài khoản root .* — 3 máy bị ảnh hưởng \(srv-0000, srv-0005, srv-0010\)/)
    expect(md).toContain('- Nhóm web, kernel: Phần lớn `5.10.0-33-amd64`; Khác biệt: srv-0000 (`6.1.0-28-amd64`), srv-0008 (`6.12.12-amd64`)')
    expect(renderMarkdown(results, 'en')).toContain('Not collected: 1')
  })
})

describe('HTML', () => {
  it('names in its method section the day the end-of-life data the packs read was reviewed, in both languages', () => {
    const reviewed = loadEolData('eol').reviewed
    expect(results.packs.find((p) => p.pack === 'linux-server')?.eolData).toEqual([{name: 'eol', reviewed}])
    const method = (lang: 'en' | 'vi') => {
      const html = renderHtml(results, {lang})
      return html.slice(html.indexOf('<section id="method">'), html.indexOf('</section>', html.indexOf('<section id="method">')))
    }
    expect(method('en')).toContain(`<dt>End-of-life data reviewed on</dt><dd class="eol-reviewed"><time datetime="${reviewed}">${reviewed}</time> (<code>checks/data/eol.yaml</code>)</dd>`)
    expect(method('vi')).toContain(`<dt>Dữ liệu hết hỗ trợ được rà soát ngày</dt><dd class="eol-reviewed"><time datetime="${reviewed}">${reviewed}</time>`)
    // once, though two packs read it
    expect(method('en').match(/eol-reviewed/g)).toHaveLength(1)
  })

  it('allows only its own inline style and script, by hash, and nothing from the network', () => {
    const html = renderHtml(results, {lang: 'en'})
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!
    expect(csp).toMatch(/^default-src 'none'; /)
    expect(csp).not.toContain('unsafe')
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!
    expect(csp).toContain(`script-src ${sha(script)}`)
    expect(csp).toContain(`style-src ${sha(style)}`)
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
  })

  it("follows an organisation's stylesheet: its hash goes into the policy", () => {
    const brand = mkdtempSync(path.join(os.tmpdir(), 'hatang-brand-'))
    try {
      writeFileSync(path.join(brand, 'report.css'), 'body{color:#123}')
      const html = renderHtml(results, {lang: 'en', templateDir: brand})
      expect(html).toContain('<style>body{color:#123}</style>')
      expect(html).toContain(`style-src 'sha256-${createHash('sha256').update('body{color:#123}').digest('base64')}'`)
    } finally {
      rmSync(brand, {recursive: true, force: true})
    }
  })

  it('shows each group\'s drift: the majority and the hosts that differ', () => {
    // web is srv-0000, -0004, -0008, a kernel each: a tie, broken by the value's text
    const html = renderHtml(results, {lang: 'vi'})
    const sync = html.slice(html.indexOf('<section id="sync">'), html.indexOf('<section id="hosts">'))
    expect(sync).toContain('<h3>Nhóm: web</h3>')
    expect(sync).toMatch(/Phần lớn: <code>5\.10\.0-33-amd64<\/code> \(1\)/)
    expect(sync).toMatch(/<td>srv-0000<\/td><td><code>6\.1\.0-28-amd64<\/code><\/td>/)
    expect(sync).toMatch(/<td>srv-0008<\/td><td><code>6\.12\.12-amd64<\/code><\/td>/)
  })

  it("gives each host's coverage a column of the hosts table, beside its score, in the reader's numbers; a dash where not collected", () => {
    for (const [lang, locale] of [['en', 'en-GB'], ['vi', 'vi-VN']] as const) {
      const html = renderHtml(results, {lang})
      const one = new Intl.NumberFormat(locale, {maximumFractionDigits: 1}).format
      results.hosts.forEach((h, i) => {
        const row = new RegExp(`<tr data-i="${i}" [^>]*><td><button type="button" class="open">${h.name}</button>.*?</tr>`).exec(html)?.[0]
        expect(row, `${lang}: the row of ${h.name}`).toBeDefined()
        const {score, coverage} = h.score
        if (!isCollected(h.status)) expect(row).toContain('<td class="num" data-v="-1">–</td><td class="num" data-v="-1"')
        else expect(row).toMatch(new RegExp(`<td class="num" data-v="${score}">${one(score!)}</td><td class="num" data-v="${coverage}"( title="[^"]*")?>${one(coverage!)} %</td>`))
      })
    }
  })

  it('is in Vietnamese with localised numbers and dates', () => {
    const html = renderHtml(results, {lang: 'vi', timeZone: 'Asia/Ho_Chi_Minh'})
    expect(html).toContain('<html lang="vi">')
    expect(html).toContain('Tóm tắt cho lãnh đạo')
    expect(html).toContain('Rủi ro hàng đầu')
    expect(html).toMatch(/thg \d+/)
  })
})
