// Screenshots of the report's summary for the README: `npm run build && node docs/screenshots.mjs`.
// The hosts are this machine's real snapshot (hatang collect --no-native), varied per host as the tests
// vary it (test/unit/report/fleet.ts): 24 hosts, one unreachable, one stale; with the history of five weekly
// runs in a scratch store, in which fewer hosts allowed root to log in over SSH each week.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const dist = (p) => import(path.join(root, 'dist', p))
const {fleet, resultsOf, kernelDrift} = await dist('test/unit/report/fleet.js')
const {writeReports} = await dist('src/runs/report-files.js')
const {launchChromium} = await dist('test/browser/browser.js')
const {openStore} = await dist('src/store/store.js')
const {evaluateRun} = await dist('src/engine/evaluate-run.js')
const {historyFromStore} = await dist('src/runs/history-from-store.js')
const {withData} = await dist('test/support/snapshots.js')
const {builtinPacks} = await dist('test/unit/report/fleet.js')

const collected = spawnSync(process.execPath, [path.join(root, 'bin/run.js'), 'collect', '--json', '--quiet', '--no-native'], {encoding: 'utf8', maxBuffer: 64 << 20})
if (collected.status !== 0) throw new Error(collected.stderr)
const snapshots = fleet(24, JSON.parse(collected.stdout))
const results = resultsOf(snapshots, {fleet: [kernelDrift(snapshots)]})
results.run.operator = 'auditor@workstation'
const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-shots-'))

// the history: week w of 5 (the last is this run), with 4 × (4 − w) hosts more allowing root logins
const store = await openStore(path.join(work, 'history.db'))
const packs = builtinPacks()
const now = Date.parse(results.run.startedAt)
let last
for (let w = 0; w < 5; w++) {
  const when = new Date(now - (4 - w) * 7 * 86_400_000)
  const snaps = snapshots.map((s, i) => {
    const c = i < 4 * (4 - w) ? withData(s, 'sshd', {permitRootLogin: 'yes', passwordAuthentication: true}) : structuredClone(s)
    c.meta.collectedAt = new Date(when.getTime() + 60_000).toISOString()
    return c
  })
  const run = await store.beginRun({source: 'audit', hostsFile: '/etc/hatang/hosts.yaml', operator: 'auditor', startedAt: when})
  for (const snap of snaps) await run.addSnapshot(snap)
  last = await run.finish({evaluation: evaluateRun(snaps, packs)})
}
results.history = await historyFromStore(store, last.id)
await store.close()
const browser = await launchChromium()
try {
  for (const lang of ['vi', 'en']) {
    const dir = path.join(work, lang)
    await writeReports(results, {formats: ['html'], lang, dir, timeZone: 'Asia/Ho_Chi_Minh'})
    const page = await browser.newPage({viewport: {width: 1280, height: 900}, deviceScaleFactor: 1})
    await page.goto(`file://${path.join(dir, 'hatang-report.html')}`)
    const header = await page.locator('header.top').boundingBox()
    const summary = await page.locator('#summary').boundingBox()
    await page.screenshot({path: path.join(root, 'docs', `report-summary-${lang}.png`), clip: {x: 0, y: 0, width: 1280, height: Math.min(summary.y + summary.height + 16, 1400) - header.y}})
    await page.close()
    console.log(`wrote docs/report-summary-${lang}.png`)
  }
} finally {
  await browser.close()
  rmSync(work, {recursive: true, force: true})
}
