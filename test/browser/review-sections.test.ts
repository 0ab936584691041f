import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Browser, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {hatang} from '../support/cli.js'
import {launchChromium, openWatched, type Watched} from './browser.js'

// The captured chroot fleet (scripts/make-fleet-fixture.sh): db1 backs up by a systemd timer, web1's own certificate
// expires 20 days after its collection, web2's deploy may run ALL without a password, db3's olduser never logged in.
const FLEET = path.resolve(import.meta.dirname, '../fixtures/fleet')

let work: string
let browser: Browser
let report: Watched

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-review-'))
  // the fleet as of its collection, whatever today's date: stale only ten years on
  const r = hatang(['report', FLEET, '--lang', 'vi', '-f', 'html,json', '--stale-after', '3650', '-o', path.join(work, 'report')], {timeoutMs: 120_000})
  expect(r.status, r.stderr).toBe(0)
  const html = readdirSync(path.join(work, 'report')).find((f) => f.endsWith('.html'))!
  browser = await launchChromium()
  report = await openWatched(browser, path.join(work, 'report', html))
}, 180_000)

afterAll(async () => {
  await browser?.close()
  rmSync(work, {recursive: true, force: true})
})

/** The host's dialog, opened: the text of each review part, by its heading. */
async function reviewOf(page: Page, host: string): Promise<Record<string, string>> {
  await page.click(`#host-table button.open >> text=${host}`)
  await expect.poll(() => page.locator('#detail-title').textContent()).toBe(host)
  const parts = await page.$$eval('#detail-body > div > *', (nodes) => {
    const out: Record<string, string> = {}
    let heading = ''
    for (const n of nodes) {
      if (n.tagName === 'H3') heading = n.textContent ?? ''
      else if (heading) out[heading] = `${out[heading] ?? ''}${n.textContent ?? ''}\n`
    }
    return out
  })
  await page.click('#host-detail form.close button')
  return parts
}

describe('the review sections of a report of the captured fleet', () => {
  it('shows each host its scheduled jobs, backup verdict, unused accounts, certificates and sudo rules', async () => {
    const page = report.page
    const names = (await page.$$eval('#host-table tbody tr button.open', (bs) => bs.map((b) => b.textContent ?? ''))).sort()
    expect(names).toEqual(['db1', 'db2', 'db3', 'web1', 'web2', 'web3'])
    const review: Record<string, Record<string, string>> = {}
    for (const name of names) review[name] = await reviewOf(page, name)
    for (const name of names) {
      const r = review[name]!
      // every host: its jobs (Debian's own timers at least), a backup verdict, certificates, sudo rules, read as root
      expect(r['Tác vụ định kỳ'], name).toMatch(/apt-daily\.timer/)
      expect(r['Tác vụ định kỳ'], name).toMatch(/Sao lưu:/)
      expect(Object.keys(r), name).toEqual(expect.arrayContaining(['Chứng chỉ', 'Quy tắc sudo', 'Tình trạng lưu trữ', 'Vùng chứa']))
      expect(Object.keys(r).some((k) => k.startsWith('Tài khoản không dùng')), name).toBe(true)
      expect(r['Quy tắc sudo'], name).toMatch(/%sudo/)
      // and the rest of what a review reads: where packages come from, how the machine boots, the password policy
      expect(r['Nguồn gói phần mềm'], name).toMatch(/deb\.debian\.org/)
      expect(r['Khởi động'], name).toMatch(/Phần sụnBIOS/)
      expect(r['Chính sách mật khẩu'], name).toMatch(/Độ dài tối thiểu/)
    }
    expect(review.db1!['Tác vụ định kỳ']).toMatch(/Sao lưu: postgresql dump \(pg-backup\.timer\)/)
    for (const name of names.filter((n) => n !== 'db1')) expect(review[name]!['Tác vụ định kỳ'], name).toMatch(/Sao lưu: không nhận diện được/)
    expect(review.web1!['Chứng chỉ']).toMatch(/\/etc\/ssl\/web\/web1\.example\.vn\.pem.*CN=web1\.example\.vn/s)
    expect(review.web2!['Chứng chỉ']).toMatch(/không có/)
    expect(review.web2!['Quy tắc sudo']).toMatch(/deploy.*ALL — không cần mật khẩu/s)
    expect(review.web1!['Quy tắc sudo']).not.toMatch(/deploy/)
    const unused = (host: string) => Object.entries(review[host]!).find(([k]) => k.startsWith('Tài khoản không dùng'))![1]
    expect(unused('db3')).toMatch(/olduser.*chưa bao giờ/s)
    // Debian 13 keeps no lastlog and the copies have no lastlog2: not read, never "none"
    expect(unused('web1')).toMatch(/chưa đọc được/)
  })

  it('counts in the overview the certificates expiring, unused accounts and hosts without backup, on the hosts read', async () => {
    const page = report.page
    const certificates = await page.locator('#review-certificates tbody tr').allTextContents()
    expect(certificates).toHaveLength(1)
    expect(certificates[0]).toMatch(/web1.*web1\.example\.vn\.pem.*19$/s)
    expect(await page.locator('#review-accounts tbody tr').allTextContents()).toEqual([expect.stringMatching(/db3.*olduser \(\d+\)/s)])
    expect(await page.locator('#review-backup').textContent()).toMatch(/db2, db3, web1, web2, web3$/)
    const cards = await page.$$eval('#inventory .cards:last-of-type .card', (cs) => cs.map((c) => (c as unknown as {innerText: string}).innerText.replace(/\s+/g, ' ').trim()))
    expect(cards).toEqual([
      expect.stringMatching(/^Chứng chỉ đã hoặc sắp hết hạn \(trong vòng 30 ngày\) 1 trên 6 máy đọc được$/),
      expect.stringMatching(/^Máy có lưu trữ suy giảm 0 trên 6 máy đọc được$/),
      expect.stringMatching(/^Vùng chứa 0 .* trên 6 máy đọc được$/),
      expect.stringMatching(/^Tài khoản không dùng chưa bị khóa \(> 45 ngày\) 1 trên 1 máy đọc được$/),
      expect.stringMatching(/^Máy chưa nhận diện được sao lưu 5 trên 6 máy đọc được$/),
    ])
    expect(report.problems).toEqual([])
  })
})
