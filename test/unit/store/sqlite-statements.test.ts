import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, describe, expect, it, vi} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import {openStore} from '../../../src/store/store.js'
import {FIXTURES} from '../../support/fixtures.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-statements-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('writing runs into SQLite', () => {
  it('prepares each statement once, however many rows a run writes (a statement is native memory until collected)', async () => {
    const store = await openStore(path.join(dir, 'hatang.db'))
    const snaps = loadSnapshots([path.join(FIXTURES, 'fleet'), path.join(FIXTURES, 'fleet-unreached')])
    const evaluation = evaluateRun(snaps, builtinPackNames().map((p) => loadPack(packFile(p))))
    const rows = evaluation.hosts.reduce((n, h) => n + h.results.length, 0) + evaluation.fleet.length
    expect(rows).toBeGreaterThan(500)
    const prepare = vi.spyOn(Database.prototype, 'prepare')
    try {
      const writeRun = async () => {
        const writer = await store.beginRun({source: 'audit'})
        for (const s of snaps) await writer.addSnapshot(s)
        await writer.finish({evaluation, waivers: []})
      }
      await writeRun()
      const first = prepare.mock.calls.length
      expect(first).toBeLessThan(30)
      expect(new Set(prepare.mock.calls.map((c) => c[0])).size).toBe(first)
      // a second run reuses them all: what is prepared anew is the store's one read of the finished run
      await writeRun()
      expect(prepare.mock.calls.slice(first).map((c) => c[0])).toEqual(['SELECT * FROM runs WHERE id = ?'])
    } finally {
      prepare.mockRestore()
      await store.close()
    }
  })
})
