import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {probes} from '../../inventory/index.js'
import {interpretProbe, keyOf} from '../../src/collect/posix-sh/interpret-probe.js'
import type {CommandOutput} from '../../inventory/kit/probe.js'
import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../src/engine/checks/pack.js'
import {evaluateRun} from '../../src/engine/evaluate-run.js'
import {buildResults} from '../../src/runs/build-results.js'
import {contextOf, FIXTURES, fixturePlatforms, loadFixture} from '../support/fixtures.js'
import {capturedFleet} from '../support/snapshots.js'

/**
 * Golden files: what the code makes of every captured fixture — each platform's sections as the probes interpret
 * the recorded outputs, and the results of the captured fleet judged by every built-in pack — written once and
 * compared byte for byte afterwards, so a change of structure that should change no behaviour is proven to change
 * none. A deliberate change of behaviour rewrites them: `UPDATE_GOLDEN=1 npx vitest run test/unit/golden.test.ts`,
 * and the diff of test/golden/ is reviewed with the change.
 */
const GOLDEN = path.resolve(import.meta.dirname, '../golden')
const update = process.env.UPDATE_GOLDEN === '1'

function matchesGolden(name: string, value: unknown): void {
  const file = path.join(GOLDEN, name)
  const text = `${JSON.stringify(value, null, 2)}\n`
  if (update || !existsSync(file)) {
    mkdirSync(GOLDEN, {recursive: true})
    writeFileSync(file, text)
  }
  expect(text, `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after a deliberate change)`).toBe(readFileSync(file, 'utf8'))
}

describe('golden: the sections of every captured platform', () => {
  for (const platform of fixturePlatforms()) {
    it(platform, () => {
      const sections: Record<string, unknown> = {}
      for (const probe of probes) {
        if (!existsSync(path.join(FIXTURES, platform, `${probe.id}.json`))) continue
        const f = loadFixture(platform, probe.id)
        const outputs = new Map<string, CommandOutput>(Object.entries(f.outputs).map(([name, o]) => [keyOf(probe, name), o]))
        sections[probe.id] = interpretProbe(probe, outputs, contextOf(f))
      }
      expect(Object.keys(sections).length).toBeGreaterThan(0)
      matchesGolden(`sections-${platform}.json`, sections)
    })
  }
})

describe('golden: the results of the captured fleet', () => {
  it('judged by every built-in pack, as of the last collection', () => {
    const snapshots = capturedFleet()
    const last = snapshots.map((s) => s.meta.collectedAt).sort().at(-1)!
    const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
    const evaluation = evaluateRun(snapshots, packs, {now: new Date(last)})
    const run = {startedAt: last, finishedAt: last, toolVersion: 'golden', operator: 'golden@test', source: 'test/fixtures/fleet'}
    matchesGolden('results-fleet.json', buildResults({snapshots, packs, evaluation, run}))
  })
})
