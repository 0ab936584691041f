import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {hatang} from '../support/cli.js'
import {englishWordsIn} from '../support/english-words.js'
import {SshLab, type Sshd} from '../support/sshd.js'
import {launchChromium, openWatched, type Watched} from './browser.js'

let work: string
let lab: SshLab
let browser: Browser
let vi: Watched

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-reasons-vi-'))
  lab = new SshLab()
  const servers: Sshd[] = await Promise.all([lab.start('may-1'), lab.start('may-2')])
  for (const s of servers) lab.trust(s)
  const hosts = [...lab.hostsDefaults(), '  address: 127.0.0.1', 'groups:', '  web:', '    hosts:', ...servers.flatMap((s) => [`      ${s.name}:`, `        port: ${s.port}`])]
  writeFileSync(path.join(work, 'hosts.yaml'), `${hosts.join('\n')}\n`)
  // the loopback fleet, audited over SSH as an unprivileged user: failures and unknowns of every kind
  const r = hatang(['audit', 'hosts.yaml', '--quiet', '--fail-on', 'none', '--lang', 'vi', '--store', 'store.db', '-o', 'report'], {cwd: work, timeoutMs: 180_000})
  expect(r.status, r.stderr).toBe(0)
  const html = readdirSync(path.join(work, 'report')).find((f) => f.endsWith('.html'))!
  browser = await launchChromium()
  vi = await openWatched(browser, path.join(work, 'report', html))
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('a Vietnamese report of the loopback fleet', () => {
  it('gives every failure and unknown its reason in Vietnamese, values apart, with no English word', async () => {
    const page = vi.page
    const names = await page.$$eval('#host-table tbody tr button.open', (bs) => bs.map((b) => b.textContent ?? ''))
    expect(names.sort()).toEqual(['may-1', 'may-2'])
    let reasons = 0
    let failures = 0
    for (const name of names) {
      await page.click(`#host-table button.open >> text=${name}`)
      await expect.poll(() => page.locator('#detail-title').textContent()).toBe(name)
      // each reason's words, without its values (shown as code: what the host or the check says, as it is)
      const texts = await page.$$eval('#host-detail .res p.reason', (ps) =>
        ps.map((p) => [...p.childNodes].filter((n) => n.nodeName !== 'CODE').map((n) => n.textContent ?? '').join(' ')),
      )
      failures += await page.locator('#host-detail .res.fail').count()
      reasons += texts.length
      for (const t of texts) expect(englishWordsIn(t), `${name}: ${t}`).toEqual([])
      const sample = await page.$$eval('#host-detail .res p.reason', (ps) => ps.map((p) => p.innerHTML))
      expect(sample.some((html) => /<code class="v">/.test(html)), name).toBe(true)
      await page.click('#host-detail form.close button')
    }
    expect(failures).toBeGreaterThan(4)
    expect(reasons).toBeGreaterThan(failures)
    // a reason the committee reads: the label, then the value as code
    const sample = await page.$$eval('#host-detail .res p.reason', (ps) => ps.map((p) => p.innerHTML))
    expect(sample.length).toBeGreaterThan(0)
    expect(vi.problems).toEqual([])
  })
})
