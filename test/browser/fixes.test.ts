import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Results} from '../../src/model/results.js'
import {hatang} from '../support/cli.js'
import {AUTO, fixFleet, HN, MANUAL, NONE, VU} from '../unit/report/fix-fleet.js'
import {launchChromium, openWatched, type Watched} from './browser.js'

let dir: string
let browser: Browser
let results: Results
let vi: Watched
let en: Watched

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-browser-fixes-'))
  const snaps = path.join(dir, 'snaps')
  mkdirSync(snaps)
  for (const s of fixFleet()) writeFileSync(path.join(snaps, `${s.host.name}.json`), JSON.stringify(s))
  for (const lang of ['vi', 'en']) {
    const r = hatang(['report', snaps, '--format', 'html,json', '--lang', lang, '-o', path.join(dir, lang)])
    expect(r.status, r.stderr).toBe(0)
  }
  results = JSON.parse(readFileSync(path.join(dir, 'en', 'results.json'), 'utf8')) as Results
  browser = await launchChromium()
  vi = await openWatched(browser, path.join(dir, 'vi', 'hatang-report.html'))
  en = await openWatched(browser, path.join(dir, 'en', 'hatang-report.html'))
})

afterAll(async () => {
  await browser?.close()
  rmSync(dir, {recursive: true, force: true})
})

interface Box {
  id: string
  status: string
  fix: string | null
  fixClass: string | null
}

/** Opens a host's dialog and reads each finding's box: its check, its status and its fix line. */
async function boxes(w: Watched, host: string): Promise<Box[]> {
  const p = w.page
  await p.click(`#host-table button.open >> text="${host}"`)
  await expect.poll(() => p.locator('#host-detail').isVisible()).toBe(true)
  const found = await p.$$eval('#detail-body div.res', (divs) =>
    divs.map((d) => ({id: d.querySelector('p code')?.textContent ?? '', status: d.className.replace('res ', ''), fix: d.querySelector('p.fix')?.textContent ?? null, fixClass: d.querySelector('p.fix')?.className ?? null})),
  )
  await p.click('#host-detail form.close button')
  await expect.poll(() => p.locator('#host-detail').isVisible()).toBe(false)
  return found
}

describe('fixes in the HTML report, in Chromium', () => {
  it('names the fix file of a failed check with an automatic fix, and says manual (with why) for the others', async () => {
    const b = await boxes(vi, 'fix-b')
    expect(b.find((x) => x.id === AUTO)).toEqual({id: AUTO, status: 'fail', fix: 'Khắc phục tự động: fixes/ssh.max-auth-tries.yml (hatang fix)', fixClass: 'fix fix-auto'})
    const c = await boxes(vi, 'fix-c')
    const reason = results.checks.find((x) => x.id === MANUAL)!.fix!.reason!
    expect(c.find((x) => x.id === MANUAL)).toEqual({id: MANUAL, status: 'fail', fix: `Khắc phục thủ công: ${reason.vi}`, fixClass: 'fix fix-manual'})
    // a failed check whose pack gives no fix at all
    expect(results.checks.find((x) => x.id === NONE)!.fix).toEqual({kind: 'manual'})
    expect(c.find((x) => x.id === NONE)!.fix).toBe('Khắc phục thủ công — chưa có bản khắc phục tự động cho kiểm tra này')
    // unknown results say nothing of a fix: no fix is made from what was not observed
    const e = await boxes(vi, 'fix-e')
    expect(e.find((x) => x.id === AUTO)).toMatchObject({status: 'unknown', fix: null})
    expect(e.filter((x) => x.status !== 'fail').every((x) => x.fix === null)).toBe(true)
    const bEn = await boxes(en, 'fix-b')
    expect(bEn.find((x) => x.id === AUTO)!.fix).toBe('Automatic fix: fixes/ssh.max-auth-tries.yml (hatang fix)')
    expect((await boxes(en, 'fix-c')).find((x) => x.id === MANUAL)!.fix).toBe(`Manual fix: ${reason.en}`)
    expect([...vi.problems, ...en.problems]).toEqual([])
  })

  it('counts in the host table what each dialog shows, and sums them in the summary, per unit and for the run', async () => {
    const p = vi.page
    const cells = await p.$$eval('#host-table tbody tr', (trs) => trs.map((tr) => ({host: tr.querySelector('button.open')!.textContent!, fixable: tr.querySelector('td.fixable')!.textContent!})))
    expect(cells.map((c) => c.host).sort()).toEqual(['fix-a', 'fix-b', 'fix-c', 'fix-d', 'fix-e', 'fix-f'])
    const total = {auto: 0, manual: 0}
    const unit: Record<string, {auto: number; manual: number}> = {}
    for (const c of cells.filter((x) => x.host !== 'fix-f')) {
      const [auto, manual] = c.fixable.split(' / ').map(Number) as [number, number]
      const shown = (await boxes(vi, c.host)).filter((x) => x.status === 'fail')
      expect(shown.filter((x) => x.fixClass === 'fix fix-auto').length, c.host).toBe(auto)
      expect(shown.filter((x) => x.fixClass === 'fix fix-manual').length, c.host).toBe(manual)
      total.auto += auto
      total.manual += manual
      const u = results.hosts.find((h) => h.name === c.host)!.unit?.path
      if (u) unit[u] = {auto: (unit[u]?.auto ?? 0) + auto, manual: (unit[u]?.manual ?? 0) + manual}
    }
    // a host not collected: not known, not "nothing to fix"
    expect(cells.find((c) => c.host === 'fix-f')!.fixable).toBe('–')
    expect(total.auto).toBeGreaterThan(0)
    const nf = new Intl.NumberFormat('vi-VN')
    expect(await p.textContent('#summary [data-fix="auto"] strong')).toBe(nf.format(total.auto))
    expect(await p.textContent('#summary [data-fix="manual"] strong')).toBe(nf.format(total.manual))
    const units = await p.$$eval('#summary table.fix-units tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)))
    expect(units).toEqual([
      [VU.vi, '2', nf.format(unit[VU.path]!.auto), nf.format(unit[VU.path]!.manual)],
      [HN.vi, '1', nf.format(unit[HN.path]!.auto), nf.format(unit[HN.path]!.manual)],
    ])
    expect(await en.page.textContent('#fixes')).toBe('Fixes')
    expect(await en.page.textContent('#summary [data-fix="auto"] span')).toBe('Findings fixable automatically')
    expect(vi.problems).toEqual([])
  })
})
