import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

/**
 * The arrows between the rooms this part of the layout draws (shared/DESIGN.md "Layout"): the result model imports
 * nothing outside src/model, renderers never read a store, the store holds storage only (no views, no commands'
 * machinery), and nothing in src/ reaches into commands/. Read from the source's import statements.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..')

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), {withFileTypes: true}).flatMap((e) => {
    const rel = path.join(dir, e.name)
    if (e.isDirectory()) return filesUnder(rel)
    return e.name.endsWith('.ts') ? [rel] : []
  })
}

/** What a file imports, each as a path from the repository's root (packages by name). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]!)
  return specifiers.map((s) => (s.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)).replace(/\.js$/, '.ts') : s))
}

const crossing = (dir: string, forbidden: (target: string) => boolean, except: readonly string[] = []) =>
  filesUnder(dir)
    .filter((f) => !except.includes(f))
    .flatMap((f) => importsOf(f).filter(forbidden).map((t) => `${f} → ${t}`))

describe('the arrows between rooms', () => {
  it('reads imports (the test itself would pass on nothing otherwise)', () => {
    expect(importsOf('src/runs/results-from-store.ts')).toContain('src/store/store.ts')
    expect(importsOf('src/runs/build-results.ts')).toContain('src/model/results.ts')
  })

  it('the model imports nothing outside src/model', () => {
    // snapshot.ts builds its schema from the probe registry: another part of issue 12 gives sections a catalog of their own
    expect(crossing('src/model', (t) => t.startsWith('src/') || t.startsWith('inventory/') || t.startsWith('commands/') ? !t.startsWith('src/model/') : false, ['src/model/snapshot.ts'])).toEqual([])
  })

  it('renderers never read a store, nor assemble runs', () => {
    expect(crossing('src/report', (t) => t.startsWith('src/store/') || t.startsWith('src/runs/'))).toEqual([])
  })

  it('the store holds storage only: no view, no command machinery', () => {
    expect(crossing('src/store', (t) => t.startsWith('src/report/') || t.startsWith('src/runs/') || t.startsWith('src/cli/views/') || t.startsWith('@oclif/') || t === 'src/cli/base-command.ts')).toEqual([])
  })

  it('nothing in src/ imports a command', () => {
    expect(crossing('src', (t) => t.startsWith('commands/'))).toEqual([])
  })
})
