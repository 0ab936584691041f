import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {evaluateRun} from '../../src/engine/evaluate-run.js'
import type {Waiver} from '../../src/engine/waivers.js'
import {SnapshotSchema, type Snapshot} from '../../src/model/snapshot.js'
import {compile, validateSnapshot} from '../../src/model/validate.js'
import {historyFromStore} from '../../src/runs/history-from-store.js'
import {writeReports} from '../../src/runs/report-files.js'
import {openStore} from '../../src/store/store.js'
import {withData} from '../support/snapshots.js'
import {builtinPacks, fleet, kernelDrift, resultsOf} from '../unit/report/fleet.js'
import {launchChromium, openWatched, type Watched} from './browser.js'

/** Everything a hostile host (or pack, or waiver) could send; each part sets a flag if it ever runs. */
const P =
  `<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2"><svg onload="window.__pwned=3"></svg>` +
  `</style></script><a href="javascript:window.__pwned=4">x</a>' onmouseover='window.__pwned=5' <!-- \u2028 <%= it %> ]]>`

/** Keys whose values are enums the code switches on: left alone so the snapshot still reads as one. */
const KEEP = new Set(['status', 'source', 'transport', 'kind', 'state', 'manager', 'schemaVersion', 'family', 'collectedAt', 'role', 'container', 'severity'])

function inject(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return KEEP.has(key) ? value : `${value}${P}`
  if (Array.isArray(value)) return value.map((v) => inject(v, key))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inject(v, k)]))
  return value
}

/**
 * The payload in every free-text field a snapshot may hold: injected everywhere, then the fields whose
 * schema forbids it (dates, fingerprints, enums) put back, so the snapshot is still one the store reads back
 * (a stored snapshot that no longer matches its schema is reported as unreadable, not shown).
 */
function injectSnapshot(s: Snapshot): Snapshot {
  const out = inject(s) as Snapshot
  const validate = compile(SnapshotSchema, 'snapshot')
  if (validate(out)) return out
  for (const e of validate.errors ?? []) {
    const keys = e.instancePath.split('/').slice(1)
    let from: unknown = s
    let to: unknown = out
    for (const k of keys.slice(0, -1)) {
      from = (from as Record<string, unknown>)[k]
      to = (to as Record<string, unknown>)[k]
    }
    const last = keys.at(-1)!
    ;(to as Record<string, unknown>)[last] = structuredClone((from as Record<string, unknown>)[last])
  }
  validateSnapshot(out)
  return out
}

let dir: string
let browser: Browser
let w: Watched
let pkgs0name: string
/** A unit name written as SQL would be (the store takes it as data); the payload is added to it like to every text. */
const UNIT_VI = `Vụ Tổ chức'; DROP TABLE snapshots; --`

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-inject-'))
  // every host fails mac.active, whose fix is manual with a reason (the pack's reason gets the payload below)
  const snaps = fleet(8)
    .map((s) => ({...s, sections: {...s.sections, mac: {...s.sections.mac, status: 'ok' as const, data: {active: 'none' as const, apparmor: {present: false, enabled: false}, selinux: {enabled: false, mode: 'disabled' as const}}}}}))
    .map((s) => ({...s, host: {...s.host, unit: {path: 'bo-noi-vu/vu-to-chuc-can-bo', vi: UNIT_VI, en: 'Department of Personnel', parents: [{path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry'}]}}}))
    .map(injectSnapshot)
  expect(snaps[0]!.host.unit).toMatchObject({path: 'bo-noi-vu/vu-to-chuc-can-bo', vi: `${UNIT_VI}${P}`})
  const packs = builtinPacks().map((p) => ({...p, title: {vi: p.title.vi + P, en: p.title.en + P}, checks: p.checks.map((c) => ({...c, title: {vi: c.title.vi + P, en: c.title.en + P}, rationale: {vi: P, en: P}, remediation: {vi: P, en: P}, fix: c.fix && 'manual' in c.fix ? {manual: {vi: P, en: P}} : c.fix}))}))
  const waivers: Waiver[] = [{check: 'firewall.active', hosts: ['*'], reason: P, approver: P, expires: '2999-01-01', source: `w.yaml:1${P}`}]
  const drift = kernelDrift(snaps)
  const results = resultsOf(snaps, {packs, waivers, fleet: [{...drift, subject: P, reason: P, scope: {kind: 'group', name: P}, majority: {value: P, hosts: [P]}, outliers: [{host: P, value: P}, ...drift.outliers], unknown: [{host: P, reason: P}]}]})
  results.run.operator = P
  results.run.source = P
  // history from a store: ten days earlier the last host was missing, the first lacked a package and the second ran another kernel
  const store = await openStore(path.join(dir, 'hatang.db'))
  const start = results.run.startedAt
  const earlierAt = new Date(Date.parse(start) - 10 * 86_400_000).toISOString()
  const pkgs = snaps[0]!.sections.packages.data!
  pkgs0name = pkgs.items[0]!.name
  const earlier = snaps.slice(0, -1).map((s, i) => {
    const e = i === 0 ? withData(s, 'packages', {...pkgs, items: pkgs.items.slice(1)}) : i === 1 ? withData(s, 'os', {kernel: `4.19.0${P}`}) : structuredClone(s)
    e.meta.collectedAt = earlierAt
    return e
  })
  for (const [run, at] of [[earlier, earlierAt], [snaps, start]] as [Snapshot[], string][]) {
    const writer = await store.beginRun({source: 'sweep', startedAt: new Date(at)})
    for (const s of run) await writer.addSnapshot(s)
    await writer.finish({evaluation: evaluateRun(run, packs, {waivers})})
  }
  results.history = await historyFromStore(store, 2)
  expect((await store.snapshots(2)).map((s) => s.host.unit?.vi)).toEqual(snaps.map(() => `${UNIT_VI}${P}`))
  await store.close()
  expect(results.history.changes!.changed.length).toBeGreaterThan(1)
  await writeReports(results, {formats: ['html', 'junit', 'md', 'csv'], lang: 'vi', dir})
  browser = await launchChromium()
  w = await openWatched(browser, path.join(dir, 'hatang-report.html'))
})

afterAll(async () => {
  await browser?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('a report of hostile data', () => {
  it('shows every injected string as text and runs none of it', async () => {
    const p = w.page
    await p.hover('#host-table tbody tr:first-child td:nth-child(2)')
    await p.click('#host-table tbody tr:first-child button.open')
    await p.hover('#detail-body h2')
    await p.evaluate("document.querySelectorAll('details').forEach((d) => (d.open = true))")
    expect(await p.evaluate('window.__pwned')).toBeUndefined()
    expect(w.dialogs).toEqual([])
    expect(w.problems).toEqual([])
    expect(w.requests).toEqual([p.url()])
    const dom = await p.evaluate(`({
      scripts: document.scripts.length,
      injected: document.querySelectorAll('img, iframe, object, embed, a[href^="javascript"], svg [onload]').length,
      handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
      svgs: document.querySelectorAll('svg').length,
    })`)
    expect(dom).toEqual({scripts: 2, injected: 0, handlers: 0, svgs: 4})
    const name = await p.textContent('#host-table tbody tr:first-child button.open')
    expect(name).toBe(`srv-0000${P}`)
    expect(await p.textContent('#detail-body h2')).toBe(`srv-0000${P}`)
    expect(await p.textContent('#host-table tbody tr:first-child td:nth-child(3)')).toBe(`${UNIT_VI}${P}`)
    expect(await p.textContent('#detail-body p.note')).toContain(`${UNIT_VI}${P}`)
    expect(await p.$$eval('#detail-body p.fix-manual', (ps) => ps.map((x) => x.textContent))).toContain(`Khắc phục thủ công: ${P}`)
    expect(await p.textContent('#summary table.fix-units td')).toBe(`${UNIT_VI}${P}`)
    expect(await p.textContent('#sync')).toContain(P)
    expect(await p.textContent('#waivers')).toContain(P)
    expect(await p.textContent('#method')).toContain(P)
    const changes = (await p.textContent('#changes')) ?? ''
    expect(changes).toContain(`srv-0007${P}`)
    expect(changes).toContain(`4.19.0${P}`)
    expect(changes).toContain(pkgs0name)
    await p.screenshot({path: path.join(dir, 'injection.png'), fullPage: false})
  })

  it('writes JUnit XML that an XML parser reads, with the payload as text', async () => {
    const xml = readFileSync(path.join(dir, 'junit.xml'), 'utf8')
    const parsed = await w.page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(xml)}, 'application/xml')
      return {error: doc.querySelector('parsererror')?.textContent ?? null, suites: doc.querySelectorAll('testsuite').length, name: doc.querySelector('testsuite')?.getAttribute('name')}
    })()`)
    expect(parsed).toEqual({error: null, suites: 8 + 1, name: `srv-0000${P}`})
  })
})
