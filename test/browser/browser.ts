import {chromium, type Browser, type Page} from 'playwright-core'

/** Debian's Chromium, never a downloaded one; no background traffic of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * The page's first contentful paint (ms from navigation), waited for up to `timeoutMs`. Asked from here, not polled in
 * the page: waitForFunction polls by eval, which the reports' Content-Security-Policy forbids (it worked only when the
 * paint had happened by the first asking).
 */
export async function firstPaint(page: Page, timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const t = (await page.evaluate("performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime")) as number | undefined
    if (t !== undefined) return t
    if (Date.now() > until) throw new Error(`no first contentful paint within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export interface Watched {
  page: Page
  /** URLs the page asked for, the report itself included. */
  requests: string[]
  /** console errors and warnings, and uncaught exceptions. */
  problems: string[]
  dialogs: string[]
}

/** Opens a file in a new page, recording every request, console error and dialog from the start. */
export async function openWatched(browser: Browser, file: string, viewport = {width: 1280, height: 900}): Promise<Watched> {
  const page = await browser.newPage({viewport})
  const w: Watched = {page, requests: [], problems: [], dialogs: []}
  page.on('request', (r) => w.requests.push(r.url()))
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.problems.push(`${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => w.problems.push(`pageerror: ${e.message}`))
  page.on('dialog', (d) => {
    w.dialogs.push(d.message())
    void d.dismiss()
  })
  await page.goto(`file://${file}`, {waitUntil: 'load'})
  return w
}
