import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Rollup} from '../../src/model/rollup.js'
import {loadLabels, type Lang} from '../../src/report/locale.js'
import {renderRollupReports} from '../../src/report/rollup/render-rollup.js'
import {HOSTILE, sampleRollup} from '../support/rollup-sample.js'
import {launchChromium, openWatched, type Watched} from './browser.js'

let dir: string
let browser: Browser
let rollup: Rollup
const files: Record<Lang, string> = {vi: '', en: ''}
const opened: Watched[] = []

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-rollup-'))
  rollup = sampleRollup({hosts: 60, units: 6, hostile: true})
  for (const lang of ['vi', 'en'] as const) {
    const html = renderRollupReports(rollup, {formats: ['html'], lang, timeZone: 'Asia/Ho_Chi_Minh'})[0]!
    files[lang] = path.join(dir, `${lang}-${html.name}`)
    writeFileSync(files[lang], html.content)
  }
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  rmSync(dir, {recursive: true, force: true})
})

async function open(lang: Lang, fragment = ''): Promise<Watched> {
  const w = await openWatched(browser, files[lang] + fragment)
  opened.push(w)
  return w
}
const unitByName = (name: string) => rollup.units.find((u) => u.name.vi === name)!
const rowCount = (w: Watched) => w.page.$$eval('#drill-hosts tbody tr', (rows) => rows.length)

describe('the roll-up HTML in Chromium', () => {
  it('opens with no request but the file itself, no dialog, no console error, and the hostile names as text', async () => {
    const w = await open('vi')
    expect(w.requests).toEqual([w.page.url()])
    expect(await w.page.locator('#worst a.unit-link').allTextContents()).toEqual(
      expect.arrayContaining([HOSTILE.formula, expect.stringContaining(HOSTILE.img)]),
    )
    expect(await w.page.locator('img').count()).toBe(0)
    expect(await w.page.isHidden('#drill')).toBe(true)
  })

  it('shows a unit and its host rows when its name is clicked: as many rows as the unit has hosts', async () => {
    const w = await open('vi')
    for (const unit of [rollup.units.find((u) => u.children.length === 0 && u.depth === 2)!, rollup.units.find((u) => u.path === 'tinh')!]) {
      await w.page.locator(`#worst tr[data-unit="${unit.path}"] a.unit-link`).click()
      await expect.poll(() => w.page.textContent('#drill-title')).toContain(unit.name.vi)
      expect(await rowCount(w)).toBe(unit.hosts.total)
      expect(unit.hosts.total).toBe(rollup.hosts.filter((h) => h.unit === unit.path || h.unit.startsWith(`${unit.path}/`)).length)
      expect(decodeURIComponent(new URL(w.page.url()).hash)).toBe(`#unit=${unit.path}`)
    }
    expect(w.requests).toEqual([w.page.url().split('#')[0]])
  })

  it('shows a host, with its failing checks by title, when its name is clicked; hostile host names stay text', async () => {
    const w = await open('vi')
    const host = rollup.hosts.find((h) => h.host === HOSTILE.img)!
    const unit = rollup.units.find((u) => u.path === host.unit)!
    await w.page.locator(`#tree details[data-unit="${unit.parent}"] > summary`).click()
    await w.page.locator(`#tree details[data-unit="${unit.path}"] > summary a.unit-link`).click()
    await w.page.locator('#drill-hosts button.host-open', {hasText: HOSTILE.img}).click()
    await expect.poll(() => w.page.textContent('#host-title')).toContain(HOSTILE.img)
    const titles = await w.page.locator('#host-detail .check-title').allTextContents()
    expect(host.failing.length).toBeGreaterThan(0)
    expect(titles.sort()).toEqual(host.failing.map((k) => rollup.checks[k]!.title.vi).sort())
    const panel = (await w.page.textContent('#host-detail'))!
    expect(panel).toContain(host.site)
    expect(panel).toContain(host.run)
    expect(panel).toContain(host.kernel!)
    expect(await w.page.locator('img').count()).toBe(0)
  })

  it('opens the unit a #unit= link names, and a host by #unit=…&host=', async () => {
    const unit = unitByName(HOSTILE.formula)
    const w = await open('en', `#unit=${encodeURIComponent(unit.path)}`)
    await expect.poll(() => w.page.textContent('#drill-title')).toBe(`${loadLabels('en')['rollup.drill']}: ${unit.name.en}`)
    expect(await rowCount(w)).toBe(unit.hosts.total)
    const first = await w.page.getAttribute('#drill-hosts tbody tr', 'data-h')
    const w2 = await open('en', `#unit=${encodeURIComponent(unit.path)}&host=${first}`)
    await expect.poll(() => w2.page.textContent('#host-title')).toBe(`${loadLabels('en')['rollup.host']}: ${rollup.hosts.find((h) => h.unit === unit.path)!.host}`)
    const nowhere = await open('en', `#unit=${encodeURIComponent('no/such-unit')}`)
    await expect.poll(() => nowhere.page.textContent('#drill')).toContain(loadLabels('en')['rollup.unitUnknown'])
  })

  it('speaks Vietnamese and English: the labels of each language, the unit names in it', async () => {
    for (const lang of ['vi', 'en'] as const) {
      const t = loadLabels(lang)
      const w = await open(lang, '#unit=')
      expect(await w.page.getAttribute('html', 'lang')).toBe(lang)
      expect(await w.page.textContent('h1')).toBe(`${t['rollup.title']}: ${rollup.units[0]!.name[lang]}`)
      expect(await w.page.textContent('#worst h2')).toBe(t['rollup.worst'])
      expect(await w.page.locator('#tree a.unit-link').allTextContents()).toEqual(rollup.units.map((u) => u.name[lang]))
      await expect.poll(() => w.page.textContent('#drill-count')).toBe(`${t['rollup.hostRows']} (${rollup.hosts.length})`)
    }
  })

  it('opens a unit of more than 500 hosts 500 rows at a time, the rest on demand', async () => {
    const big = sampleRollup({hosts: 1100, units: 2})
    const file = path.join(dir, 'big.html')
    writeFileSync(file, renderRollupReports(big, {formats: ['html'], lang: 'en'})[0]!.content)
    const w = await openWatched(browser, `${file}#unit=`)
    opened.push(w)
    await expect.poll(() => rowCount(w)).toBe(500)
    expect(await w.page.textContent('#drill-count')).toBe(`${loadLabels('en')['rollup.hostRows']} (1,100)`)
    await w.page.click('#drill button.more')
    expect(await rowCount(w)).toBe(1000)
    await w.page.click('#drill button.more')
    expect(await rowCount(w)).toBe(1100)
    expect(await w.page.isHidden('#drill button.more')).toBe(true)
  })

  it('reads without JavaScript: ranking, tree and sync are in the page, host rows are not', async () => {
    const context = await browser.newContext({javaScriptEnabled: false})
    const page = await context.newPage()
    const requests: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    await page.goto(`file://${files.vi}`)
    expect(await page.locator('#worst tbody tr').count()).toBe(rollup.units.length - 1)
    expect(await page.locator('#tree details.unit').count()).toBe(rollup.units.length)
    expect(await page.locator('#estate-sync details.finding').count()).toBe(rollup.sync.length)
    expect(await page.locator('#drill-hosts').count()).toBe(0)
    expect(requests).toEqual([`file://${files.vi}`])
    await context.close()
  })

  it('sent no request but its file, fired no dialog and logged no error in any page, whatever was clicked', () => {
    expect(opened.length).toBeGreaterThan(5)
    for (const w of opened) {
      expect(w.requests.every((u) => u.startsWith(`file://${dir}/`))).toBe(true)
      expect(w.dialogs).toEqual([])
      expect(w.problems).toEqual([])
    }
  })
})
