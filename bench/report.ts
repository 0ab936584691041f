/**
 * `npm run bench:report`: a 1,000-host report (N=1000). The hosts are this machine's real snapshot
 * (hatang collect --no-native) varied per host as the tests vary it. Measures:
 *   - build + render: buildResults and the HTML renderer in process (median of RUNS);
 *   - hatang report end to end: the CLI reading N snapshot files, judging and writing the HTML (median of 3);
 *   - the HTML's weight;
 *   - first contentful paint in Chromium (performance.getEntriesByType('paint'), median of RUNS fresh pages).
 * Targets: render ≤ 2 s, weight ≤ 5 MB, first paint ≤ 1 s.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {evaluateRun} from '../src/engine/evaluate-run.js'
import {buildResults} from '../src/runs/build-results.js'
import type {Snapshot} from '../src/model/snapshot.js'
import {renderHtml} from '../src/report/render-html.js'
import {writeReports} from '../src/runs/report-files.js'
import {firstPaint, launchChromium} from '../test/browser/browser.js'
import {builtinPacks, fleet} from '../test/unit/report/fleet.js'
import {appendResults, measure, median} from './measure.js'

const n = Number(process.env.N ?? 1000)
const runs = Number(process.env.RUNS ?? 5)
const bin = path.resolve(import.meta.dirname, '../../bin/run.js')
const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-bench-report-'))

try {
  const collected = spawnSync(process.execPath, [bin, 'collect', '--json', '--quiet', '--no-native'], {encoding: 'utf8', maxBuffer: 64 << 20})
  if (collected.status !== 0) throw new Error(`collect failed: ${collected.stderr}`)
  const snapshots = fleet(n, JSON.parse(collected.stdout) as Snapshot)
  const snapDir = path.join(work, 'snaps')
  mkdirSync(snapDir)
  for (const s of snapshots) writeFileSync(path.join(snapDir, `${s.host.name}.json`), JSON.stringify(s))

  const packs = builtinPacks()
  const t0 = performance.now()
  const evaluation = evaluateRun(snapshots, packs)
  const evaluateMs = performance.now() - t0
  const renderMs: number[] = []
  let html = ''
  for (let i = 0; i < runs + 1; i++) {
    const t1 = performance.now()
    const startedAt = new Date().toISOString()
    const results = buildResults({snapshots, packs, evaluation, run: {startedAt, finishedAt: startedAt, toolVersion: 'bench', operator: 'bench@localhost', source: snapDir}})
    html = renderHtml(results, {lang: 'vi'})
    if (i > 0) renderMs.push(performance.now() - t1) // the first run warms the JIT
    if (i === 0) await writeReports(results, {formats: ['html'], lang: 'vi', dir: work})
  }
  const file = path.join(work, 'hatang-report.html')
  const bytes = statSync(file).size

  const cli = Array.from({length: Math.min(runs, 3)}, () => measure({name: 'report', command: [process.execPath, bin, 'report', snapDir, '--format', 'html', '-o', path.join(work, 'cli')]}))
  if (cli.some((s) => s.exitCode !== 0)) throw new Error('hatang report failed')

  const browser = await launchChromium()
  const paints: number[] = []
  try {
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({viewport: {width: 1280, height: 900}})
      await page.goto(`file://${file}`, {waitUntil: 'load'})
      paints.push(await firstPaint(page))
      await page.close()
    }
  } finally {
    await browser.close()
  }

  const ms = (x: number) => x.toFixed(0)
  const rows = [
    ['build results + render HTML, in process (median)', `${ms(median(renderMs))} ms`, '≤ 2000 ms', median(renderMs) <= 2000],
    ['judging: evaluateRun, built-in packs (engine, once)', `${ms(evaluateMs)} ms`, '—', true],
    ['hatang report --format html, end to end (median wall)', `${ms(median(cli.map((s) => s.wallMs)))} ms`, '—', true],
    ['hatang report peak RSS (median)', `${(median(cli.map((s) => s.maxRssKb)) / 1024).toFixed(0)} MB`, '—', true],
    ['HTML size', `${(bytes / 2 ** 20).toFixed(2)} MB`, '≤ 5 MB', bytes <= 5 * 2 ** 20],
    ['first contentful paint in Chromium (median)', `${ms(median(paints))} ms`, '≤ 1000 ms', median(paints) <= 1000],
  ] as const
  const table = [
    `| ${n} hosts | measured | target | ok |`,
    '|---|---:|---:|:---:|',
    ...rows.map(([what, v, target, ok]) => `| ${what} | ${v} | ${target} | ${ok ? '✓' : '✗'} |`),
  ].join('\n')
  console.log(table)
  appendResults(
    `Report of ${n} hosts (npm run bench:report)`,
    `N=${n} RUNS=${runs} npm run bench:report`,
    `${table}\n\nHosts: this machine's snapshot varied per host (test/unit/report/fleet.ts), ${runs} runs each, HTML in Vietnamese; ${html.length} characters.`,
  )
  if (rows.some((r) => !r[3])) process.exitCode = 1
} finally {
  rmSync(work, {recursive: true, force: true})
}
