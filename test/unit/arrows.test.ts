import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

/**
 * The arrows of the layout (the design brief's "Layout"), read from the code's imports: a file that imports across one
 * fails here, naming the file and the import. Static, type-only, re-exports and dynamic imports all count; packages
 * are named as such (`@oclif/core`), project files as paths from the repository's root.
 */
const ROOT = path.resolve(import.meta.dirname, '../..')

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  )
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]!)
  return specifiers.map((s) => (s.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)).replace(/\.js$/, '.ts') : s))
}

const project = (t: string) => /^(src|inventory|commands)\//.test(t)
const within = (t: string, ...rooms: string[]) => rooms.some((r) => (r.endsWith('.ts') ? t === r : t.startsWith(`${r}/`)))

function crossings(from: string, forbidden: (target: string) => boolean): string[] {
  return files(from).flatMap((f) => importsOf(f).filter(forbidden).map((t) => `${f} → ${t}`))
}

describe('the arrows of the layout', () => {
  it('reads the imports it judges (the rules would pass on nothing otherwise)', () => {
    expect(importsOf('src/collect/collect-host.ts')).toContain('inventory/index.ts')
    expect(importsOf('src/runs/results-from-store.ts')).toContain('src/store/store.ts')
    expect(crossings('src/collect', (t) => project(t) && !within(t, 'src/model'))).not.toEqual([])
    expect(importsOf('src/engine/waivers.ts')).toEqual(expect.arrayContaining(['src/config/schema-problems.ts', 'src/hosts/ssh-config.ts']))
  })

  it('the model imports nothing of the project outside src/model', () => {
    expect(crossings('src/model', (t) => project(t) && !within(t, 'src/model'))).toEqual([])
  })

  it('configuration files are read in src/config, on the model alone: hosts and the engine both use it', () => {
    expect(crossings('src/config', (t) => project(t) && !within(t, 'src/config', 'src/model'))).toEqual([])
  })

  it('the engine takes nothing of the hosts but the glob of a waiver (config errors, YAML and positions are src/config)', () => {
    expect(crossings('src/engine', (t) => within(t, 'src/hosts') && t !== 'src/hosts/ssh-config.ts')).toEqual([])
  })

  it('implementations import only their kit, the transport contract and the model (never the collector)', () => {
    expect(crossings('inventory', (t) => project(t) && !within(t, 'inventory', 'src/model', 'src/transport/transport.ts'))).toEqual([])
  })

  it('the engine and the reports never touch a transport', () => {
    expect([...crossings('src/engine', (t) => within(t, 'src/transport')), ...crossings('src/report', (t) => within(t, 'src/transport'))]).toEqual([])
  })

  it('renderers never read a store, nor assemble runs', () => {
    expect(crossings('src/report', (t) => within(t, 'src/store', 'src/runs'))).toEqual([])
  })

  // src/files is a kernel every room may use (the one atomic writer, folder making): it depends on no room, and the
  // reports do not use it, since renderers return content and src/runs writes it (house rule 8)
  it('the file kernel imports nothing of the project, and renderers write no file', () => {
    expect(crossings('src/files', (t) => project(t) && !within(t, 'src/files'))).toEqual([])
    expect(crossings('src/report', (t) => within(t, 'src/files'))).toEqual([])
  })

  it('the store holds storage only: no view, no report, no command machinery', () => {
    expect(crossings('src/store', (t) => within(t, 'src/report', 'src/runs', 'src/cli/views') || t.startsWith('@oclif/') || t === 'src/cli/base-command.ts')).toEqual([])
  })

  it('nothing in src/ or inventory/ imports a command', () => {
    expect([...crossings('src', (t) => within(t, 'commands')), ...crossings('inventory', (t) => within(t, 'commands'))]).toEqual([])
  })
})
