import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

/**
 * The arrows of shared/DESIGN.md's layout, read from the code's imports: a file that imports across one fails here,
 * naming the file and the import. (Packages and node: built-ins are not the project's rooms.)
 */
const ROOT = path.resolve(import.meta.dirname, '../..')

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  )
}

/** Every project file a source file imports (static, type-only and dynamic), as paths from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.[^']+)'/gm)].map((m) => m[1]!)
  return specifiers.map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)).replace(/\.js$/, '.ts'))
}

const within = (file: string, ...rooms: string[]) => rooms.some((r) => (r.endsWith('.ts') ? file === r : file.startsWith(`${r}/`)))

function crossings(from: string, allowed: (target: string) => boolean): string[] {
  return files(from).flatMap((f) => importsOf(f).filter((t) => !allowed(t)).map((t) => `${f} imports ${t}`))
}

describe('the arrows of the layout', () => {
  it('the model imports nothing outside src/model', () => {
    /** Crossings another step of the work removes (then remove them here: a pardon no longer needed fails). */
    const pardoned: Record<string, string> = {'src/model/results.ts': 'buildResults and its engine imports move to src/runs/ (issue 12, the runs step)'}
    const found = crossings('src/model', (t) => within(t, 'src/model'))
    expect(found.filter((c) => !Object.keys(pardoned).some((f) => c.startsWith(`${f} `)))).toEqual([])
    for (const f of Object.keys(pardoned)) expect(found.some((c) => c.startsWith(`${f} `)), `${f} no longer crosses: remove its pardon`).toBe(true)
  })

  it('implementations import only their kit, the transport contract and the model', () => {
    expect(crossings('inventory', (t) => within(t, 'inventory', 'src/model', 'src/transport/transport.ts', 'src/transport/shell-quote.ts'))).toEqual([])
  })

  it('the engine and the reports never touch a transport', () => {
    expect([...crossings('src/engine', (t) => !within(t, 'src/transport')), ...crossings('src/report', (t) => !within(t, 'src/transport'))]).toEqual([])
  })

  it('nothing in src/ or inventory/ imports a command', () => {
    expect([...crossings('src', (t) => !within(t, 'commands')), ...crossings('inventory', (t) => !within(t, 'commands'))]).toEqual([])
  })

  it('reads the imports it judges (a crossing is found)', () => {
    expect(importsOf('src/collect/collect-host.ts')).toContain('inventory/index.ts')
    expect(crossings('src/collect', (t) => within(t, 'src/model'))).not.toEqual([])
  })
})
