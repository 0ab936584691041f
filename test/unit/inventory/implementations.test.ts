import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {probes} from '../../../inventory/index.js'
import {probeCommands} from '../../../inventory/kit/probe.js'
import {runners} from '../../../src/collect/runners.js'
import {sectionCatalog} from '../../../src/model/sections/index.js'

describe('the implementations of inventory/', () => {
  it('fill catalog sections, each section at most once per dialect, in the catalog\'s order', () => {
    const catalog = sectionCatalog.map((s) => s.id)
    for (const p of probes) expect(sectionCatalog, p.id).toContain(p.section)
    const keys = probes.map((p) => `${p.section.id}/${p.dialect}`)
    expect(new Set(keys).size).toBe(keys.length)
    const order = probes.map((p) => catalog.indexOf(p.section.id))
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })

  it('read every section of the catalog, each in a dialect some runner runs', () => {
    for (const spec of sectionCatalog) {
      const dialects = probes.filter((p) => p.section.id === spec.id).map((p) => p.dialect)
      expect(dialects.length, spec.id).toBeGreaterThan(0)
      for (const d of dialects) expect(runners[d], `${spec.id}: no runner for ${d}`).toBeDefined()
    }
  })

  it('send commands whose meaning is the same under dash and under bash in POSIX mode with XSI echo (how a batch runs them)', () => {
    // dash's echo takes -n; bash's, in POSIX mode with xpg_echo, prints it: printf says the same everywhere
    const echoOption = /(^|[;&|({\s])echo[ \t]+-/m
    const offending = probes.flatMap((p) => Object.entries(probeCommands(p)).filter(([, c]) => echoOption.test(c)).map(([name]) => `${p.id}.${name}`))
    expect(offending).toEqual([])
    expect(echoOption.test("x; echo -n 'a'")).toBe(true)
  })

  it('send commands that dash and bash (POSIX mode) both parse whole: a stray fi that ends a branch early fails here, not on a host', () => {
    const broken = probes.flatMap((p) =>
      Object.entries(probeCommands(p)).flatMap(([name, command]) =>
        [
          ['sh', ['-n', '-c', command]],
          ['bash', ['-n', '-o', 'posix', '-c', command]],
        ].flatMap(([shell, args]) => {
          const r = spawnSync(shell as string, args as string[], {encoding: 'utf8'})
          return r.status === 0 ? [] : [`${p.id}.${name} (${shell as string}): ${r.stderr.trim()}`]
        }),
      ),
    )
    expect(broken).toEqual([])
    expect(spawnSync('sh', ['-n', '-c', 'if true; then :; fi; fi'], {encoding: 'utf8'}).status).not.toBe(0)
  })
})
