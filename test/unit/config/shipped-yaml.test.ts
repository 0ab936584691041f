import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it, vi} from 'vitest'
import * as yaml from 'yaml'

import {readYaml} from '../../../src/config/read-yaml.js'
import {readShippedYaml, SHIPPED_YAML_DIR} from '../../../src/config/shipped-yaml.js'
import {builtinPacksDir} from '../../../src/engine/checks/builtin-packs.js'
import {loadPacks} from '../../../src/engine/checks/load-packs.js'
import {packageDir} from '../../../src/model/package-root.js'

// The build (npm test builds first) writes every YAML file of checks/ and templates/ as JSON with the digest of its
// text (scripts/build-shipped-yaml.ts); readShippedYaml reads that copy while the text is the same.
vi.mock('yaml', async (original) => {
  const actual = await original<typeof import('yaml')>()
  return {...actual, parseDocument: vi.fn(actual.parseDocument)}
})
const parses = () => vi.mocked(yaml.parseDocument).mock.calls.length

const root = packageDir('.')
const shipped = (dir: string): string[] =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? shipped(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : []))
const files = [...shipped(path.join(root, 'checks')), ...shipped(path.join(root, 'templates'))]

describe('shipped YAML read from the copy the build wrote', () => {
  it('the build wrote a copy of every shipped YAML file, and each reads as the YAML does', () => {
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      expect(existsSync(path.join(packageDir(SHIPPED_YAML_DIR), `${path.relative(root, file)}.json`)), file).toBe(true)
      const text = readFileSync(file, 'utf8')
      const before = parses()
      const fromCopy = readShippedYaml(text, file)
      expect(parses(), `${file} was parsed`).toBe(before)
      expect(fromCopy.data, file).toEqual(readYaml(text, file).data)
    }
  })

  it('a text changed since the build is parsed, not taken from the stale copy', () => {
    const file = path.join(builtinPacksDir(), 'linux-server.yaml')
    const text = readFileSync(file, 'utf8').replace(/^pack: .*$/m, 'pack: changed-after-the-build')
    const before = parses()
    expect((readShippedYaml(text, file).data as {pack: string}).pack).toBe('changed-after-the-build')
    expect(parses()).toBe(before + 1)
    // and a broken one says where, as the yaml library does
    const broken = readShippedYaml(`${readFileSync(file, 'utf8')}\n  - [unclosed\n`, file)
    expect(broken.errors.length).toBeGreaterThan(0)
    expect(broken.errors[0]!.message).toMatch(/linux-server\.yaml:\d+:\d+/)
  })

  it('a copy still tells where each value is written (parsed on the first question)', () => {
    const file = path.join(builtinPacksDir(), 'linux-server.yaml')
    const text = readFileSync(file, 'utf8')
    const fromCopy = readShippedYaml(text, file)
    const parsed = readYaml(text, file)
    const before = parses()
    for (const at of [['pack'], ['checks', '0', 'id'], ['checks', '3', 'assert']]) expect(fromCopy.positions.of(at)).toEqual(parsed.positions.of(at))
    expect(fromCopy.positions.keyOf(['checks', '1'], 'id')).toEqual(parsed.positions.keyOf(['checks', '1'], 'id'))
    expect(parses()).toBe(before + 1)
  })

  it('the built-in packs load from their copies as they load from their YAML', () => {
    const packs = loadPacks()
    expect(packs.map((p) => p.pack)).toEqual(expect.arrayContaining(['linux-server', 'fleet-sync']))
    for (const p of packs) {
      const parsed = readYaml(readFileSync(p.file, 'utf8'), p.file).data as {checks?: {id: string}[]}
      expect(p.checks.map((c) => c.id)).toEqual((parsed.checks ?? []).map((c) => c.id))
    }
  })
})
