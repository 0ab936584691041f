import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {evaluateRun} from '../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {openStore} from '../../src/store/store.js'
import {hatang} from '../support/cli.js'
import {withData} from '../support/snapshots.js'
import {builtinPacks, fleet} from '../unit/report/fleet.js'
import {firstPaint, launchChromium, openWatched, type Watched} from './browser.js'

const N = 40
let dir: string
let browser: Browser
let vi: Watched
let en: Watched

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-browser-'))
  const snaps = path.join(dir, 'snaps')
  const hosts = fleet(N)
  mkdirSync(snaps)
  for (const s of hosts) writeFileSync(path.join(snaps, `${s.host.name}.json`), JSON.stringify(s))
  // the Vietnamese report is of a stored run, with its history: the run before it lacked srv-0039 and had a package on srv-0000 since removed
  const store = await openStore(path.join(dir, 'hatang.db'))
  const pkgs = hosts[0]!.sections.packages.data!
  const before = [withData(hosts[0]!, 'packages', {...pkgs, items: [...pkgs.items, {name: '<script>alert(1)</script>', version: '1', manager: 'dpkg', status: 'ii'}]}), ...hosts.slice(1, -1)]
  const start = Date.parse(hosts[0]!.meta.collectedAt)
  for (const [snapshots, at] of [[before, start - 86_400_000], [hosts, start]] as [Snapshot[], number][]) {
    const w = await store.beginRun({source: 'sweep', startedAt: new Date(at)})
    for (const s of snapshots) await w.addSnapshot(s)
    await w.finish({evaluation: evaluateRun(snapshots, builtinPacks())})
  }
  await store.close()
  const stored = hatang(['report', '2', '--store', path.join(dir, 'hatang.db'), '--format', 'html', '--lang', 'vi', '-o', path.join(dir, 'vi')])
  expect(stored.status, stored.stderr).toBe(0)
  const r = hatang(['report', snaps, '--format', 'html', '--lang', 'en', '-o', path.join(dir, 'en')])
  expect(r.status, r.stderr).toBe(0)
  browser = await launchChromium()
  vi = await openWatched(browser, path.join(dir, 'vi', 'hatang-report.html'))
  en = await openWatched(browser, path.join(dir, 'en', 'hatang-report.html'))
})

afterAll(async () => {
  await browser?.close()
  rmSync(dir, {recursive: true, force: true})
})

const visibleNames = (w: Watched) => w.page.$$eval('#host-table tbody tr:not(.hidden) button.open', (bs) => bs.map((b) => b.textContent ?? ''))

describe('the HTML report in Chromium', () => {
  it('opens with no console error and no network request, paints, and is screenshotted', async () => {
    for (const w of [vi, en]) {
      expect(w.problems).toEqual([])
      expect(w.requests).toEqual([w.page.url()])
      await w.page.bringToFront()
      expect(await firstPaint(w.page, 10_000)).toBeGreaterThan(0)
    }
    const shot = path.join(dir, 'summary-vi.png')
    await vi.page.screenshot({path: shot})
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG')
    expect(await vi.page.locator('#summary h2').textContent()).toBe('Tóm tắt cho lãnh đạo')
    expect(await en.page.locator('#summary h2').textContent()).toBe('Executive summary')
    expect(await vi.page.locator('#host-table tbody tr').count()).toBe(N)
    // the stored run's history: changes since the run before, and the trend of both runs
    expect(await vi.page.locator('#changes h2').textContent()).toBe('Thay đổi kể từ lần chạy trước')
    expect(await vi.page.locator('#changes [data-count="appeared"]').textContent()).toBe('1')
    expect(await vi.page.locator('#changes details.changes-packages summary').textContent()).toContain('srv-0000')
    expect(await vi.page.locator('#changes details.changes-packages code').first().textContent()).toBe('<script>alert(1)</script>')
    expect(await vi.page.locator('#summary svg.trend circle').count()).toBe(2)
    expect(await vi.page.locator('#summary svg.trend').isVisible()).toBe(true)
    expect(await en.page.locator('#changes').count()).toBe(0)
    expect(vi.problems).toEqual([])
  })

  it('keeps every summary chart inside its card, with the trend card or without, wide or narrow', async () => {
    // runs in the page (the tests are compiled without the DOM's types)
    const overflowing = `[...document.querySelectorAll('#summary .card')].flatMap((card) => {
      const box = card.getBoundingClientRect()
      return [...card.querySelectorAll('svg')].filter((svg) => svg.getBoundingClientRect().right > box.right + 0.5).map((svg) => svg.getAttribute('class'))
    })`
    for (const w of [vi, en]) {
      expect(await w.page.locator('#summary .card svg').count()).toBeGreaterThanOrEqual(3)
      for (const width of [1280, 1024, 700]) {
        await w.page.setViewportSize({width, height: 900})
        expect(await w.page.evaluate<string[]>(overflowing), `${width} px`).toEqual([])
      }
      await w.page.setViewportSize({width: 1280, height: 900})
    }
  })

  it('sorts the host table by a column, both ways', async () => {
    const p = en.page
    const scores = () => p.$$eval('#host-table tbody tr td:nth-child(6)', (tds) => tds.map((td) => Number(td.getAttribute('data-v'))))
    await p.click('#host-table thead th:nth-child(6) button')
    const up = await scores()
    expect(up).toEqual([...up].sort((a, b) => a - b))
    expect(up[0]).toBe(-1) // not collected: no score
    await p.click('#host-table thead th:nth-child(6) button')
    const down = await scores()
    expect(down).toEqual([...up].sort((a, b) => b - a))
    expect(await p.getAttribute('#host-table thead th:nth-child(6)', 'aria-sort')).toBe('descending')
    await p.click('#host-table thead th:nth-child(1) button')
    const names = await visibleNames(en)
    expect(names).toEqual([...names].sort())
    expect(names[0]).toBe('srv-0000')
  })

  it('filters the host table as one types (Vietnamese with or without its marks), and by status', async () => {
    const p = vi.page
    await p.fill('#filter', 'srv-001')
    expect(await visibleNames(vi)).toEqual(Array.from({length: 10}, (_, i) => `srv-001${i}`))
    expect(await p.textContent('#shown')).toBe('10 trên 40 máy đang hiển thị')
    await p.fill('#filter', 'bullseye web')
    const hits = await visibleNames(vi)
    // web: i % 4 == 0; bullseye: i % 3 == 1 → i ≡ 4 (mod 12); srv-0007 is unreachable but not web
    expect(hits).toEqual(['srv-0004', 'srv-0016', 'srv-0028'])
    await p.fill('#filter', 'chua thu thap')
    expect(await visibleNames(vi)).toEqual(['srv-0007', 'srv-0032'])
    await p.fill('#filter', 'CHƯA THU THẬP')
    expect(await visibleNames(vi)).toEqual(['srv-0007', 'srv-0032'])
    await p.fill('#filter', '')
    await p.selectOption('#category', 'notCollected')
    expect(await visibleNames(vi)).toEqual(['srv-0007', 'srv-0032'])
    await p.selectOption('#category', '')
    expect((await visibleNames(vi)).length).toBe(N)
  })

  it("opens a host's details with its findings, rationale and remediation", async () => {
    const p = vi.page
    await p.click('#host-table button.open >> text=srv-0005')
    const dialog = p.locator('#host-detail')
    await expect.poll(() => dialog.isVisible()).toBe(true)
    const text = (await dialog.textContent()) ?? ''
    expect(text).toContain('srv-0005')
    expect(text).toContain('SSH không cho phép tài khoản root đăng nhập bằng mật khẩu')
    expect(text).toContain('Cách khắc phục: Đặt "PermitRootLogin no"')
    expect(text).toContain('Lenovo')
    expect(text).toContain('Debian GNU/Linux 13 (trixie)')
    // every reason of that host (written once in the page's string table) shows in its details
    const data = JSON.parse(await p.evaluate<string>(`document.getElementById('host-data').textContent`)) as {strings: string[]; hosts: {n: string; res: (number | string | null)[][]; sec: [string, string, number | null][]}[]}
    const h = data.hosts.find((x) => x.n === 'srv-0005')!
    const expected = [...h.res.map((r) => r[2]), ...h.sec.map((x) => x[2])].filter((i): i is number => typeof i === 'number').map((i) => data.strings[i]!)
    expect(expected.length).toBeGreaterThan(5)
    // values are marked for the page's script, which shows them as code
    for (const why of expected) expect(text).toContain(why.replace(/[\uE000\uE001]/g, ''))
    await p.click('#host-detail form.close button')
    await expect.poll(() => dialog.isVisible()).toBe(false)
    expect(vi.problems).toEqual([])
  })

  it('prints without navigation or the filter', async () => {
    const p = en.page
    await p.emulateMedia({media: 'print'})
    expect(await p.locator('nav').isVisible()).toBe(false)
    expect(await p.locator('#filter').isVisible()).toBe(false)
    expect(await p.locator('#summary svg.donut').isVisible()).toBe(true)
    const pdf = await p.pdf({format: 'A4'})
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    await p.emulateMedia({media: 'screen'})
  })
})
