import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

// The build (npm test builds first) bundles TypeBox's builder into dist/src/model/type-builder.js: TypeBox's ~200
// files cost every command ~80 ms of CPU to load. Nothing the CLI runs may import TypeBox itself again.
const dist = path.resolve(import.meta.dirname, '../../../dist')

function jsFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : /\.c?js$/.test(e.name) ? [path.join(dir, e.name)] : []))
}

describe('TypeBox at run time', () => {
  it('is one bundled module that imports nothing', () => {
    const bundle = readFileSync(path.join(dist, 'src/model/type-builder.js'), 'utf8')
    expect(bundle).toMatch(/\bType\b/)
    expect(bundle).not.toMatch(/^\s*(import|export)\s[^;]*\bfrom\s+['"]/m)
    expect(bundle).not.toMatch(/\brequire\(/)
  })

  it('is imported by no module the CLI runs but through src/model/type-builder.js', () => {
    const files = ['commands', 'bundles', 'src', 'inventory'].flatMap((d) => jsFiles(path.join(dist, d)))
    expect(files.length).toBeGreaterThan(100)
    const importing = files.filter((f) => /from\s+['"]@sinclair\/typebox(\/[^'"]*)?['"]|import\(\s*['"]@sinclair\/typebox|require\(\s*['"]@sinclair\/typebox/.test(readFileSync(f, 'utf8')))
    expect(importing.map((f) => path.relative(dist, f))).toEqual([])
  })
})
