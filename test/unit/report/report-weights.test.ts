import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Results} from '../../../src/model/results.js'
import {SEVERITY_WEIGHTS, type Severity} from '../../../src/model/severity.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {htmlView} from '../../../src/report/html-view.js'
import {formatter, loadLabels} from '../../../src/report/locale.js'
import {renderHtml} from '../../../src/report/render-html.js'
import {buildResults} from '../../../src/runs/build-results.js'
import {FIXTURES} from '../../support/fixtures.js'

/**
 * The report reads its weights from the model (src/model/severity.ts), it keeps no copy: change a weight there and the
 * HTML's top risks and score note follow. Each test changes the model's weights for its own duration only.
 */
const weights = SEVERITY_WEIGHTS as Record<Severity, number>

function withWeights<T>(changed: Partial<Record<Severity, number>>, fn: () => T): T {
  const saved = {...weights}
  Object.assign(weights, changed)
  try {
    return fn()
  } finally {
    Object.assign(weights, saved)
  }
}

/** The captured fleet's results, each collected host's results replaced by the given failures (the first `hosts` hosts fail each). */
function resultsFailing(failures: {check: string; severity: Severity; hosts: number}[]): Results {
  const dir = path.join(FIXTURES, 'fleet')
  const snapshots = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'sweep.json')
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Snapshot)
  const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
  const last = snapshots.map((s) => s.meta.collectedAt).sort().at(-1)!
  const run = {startedAt: last, finishedAt: last, toolVersion: 'test', operator: 'test@test', source: dir}
  const results = buildResults({snapshots, packs, evaluation: evaluateRun(snapshots, packs, {now: new Date(last)}), run})
  expect(results.hosts.length).toBeGreaterThanOrEqual(Math.max(...failures.map((f) => f.hosts)))
  results.hosts = results.hosts.map((h, i) => ({...h, results: failures.filter((f) => i < f.hosts).map((f) => ({pack: 'test', check: f.check, severity: f.severity, status: 'fail' as const}))}))
  return results
}

const topRisks = (results: Results) => {
  const t = loadLabels('en')
  return htmlView(results, 'en', t, formatter(t)).topRisks.map((r) => r.check)
}

describe("the report's weights are the model's", () => {
  it('orders the top risks by severity weight × hosts, with the weights of the model', () => {
    // one critical failure against enough high ones to outweigh it, by the model's own weights
    const hosts = Math.floor(weights.critical / weights.high) + 1
    const results = resultsFailing([
      {check: 'one-critical', severity: 'critical', hosts: 1},
      {check: 'many-high', severity: 'high', hosts},
    ])
    expect(topRisks(results)).toEqual(['many-high', 'one-critical'])
    // make the critical one outweigh them in the model only: the report follows
    withWeights({critical: weights.high * hosts + 1}, () => expect(topRisks(results)).toEqual(['one-critical', 'many-high']))
    withWeights({high: 0}, () => expect(topRisks(results)).toEqual(['one-critical', 'many-high']))
  })

  it("names the model's weights in the HTML score note, in the reader's language", () => {
    const results = resultsFailing([{check: 'one-low', severity: 'low', hosts: 1}])
    const html = withWeights({critical: 42, medium: 7, info: 0}, () => renderHtml(results, {lang: 'en'}))
    expect(html).toContain(`(critical 42, high ${weights.high}, medium 7, low ${weights.low})`)
    const vi = withWeights({low: 0}, () => renderHtml(results, {lang: 'vi'}))
    expect(vi).toContain(`(nghiêm trọng ${weights.critical}, cao ${weights.high}, trung bình ${weights.medium}). `)
    // and the weights stand where they are, for every other test
    expect(renderHtml(results, {lang: 'en'})).toContain(`(critical ${weights.critical}, high ${weights.high}, medium ${weights.medium}, low ${weights.low})`)
  })
})
