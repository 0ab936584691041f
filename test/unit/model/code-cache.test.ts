import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {codeCacheOf, requireWithCodeCache} from '../../../src/model/code-cache.js'

let dir: string
let file: string
const warm = (exports: unknown) => void (exports as {check: (x: unknown) => unknown}).check({})

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-code-cache-'))
  writeFileSync(path.join(dir, 'helper.cjs'), 'module.exports = (x) => typeof x\n')
  file = path.join(dir, 'validator.cjs')
  // a module as Ajv's standalone code is: strict, requires a file of its own and a package, exports functions
  writeFileSync(
    file,
    [
      '"use strict";',
      'const kind = require("./helper.cjs");',
      'const {basename} = require("node:path");',
      'module.exports.check = function check(x) { return kind(x) === "object" && x !== null };',
      'module.exports.where = () => [basename(__filename), __dirname, this === module.exports];',
      '',
    ].join('\n'),
  )
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function exportsOf(load: {exports: unknown}) {
  return load.exports as {check: (x: unknown) => boolean; where: () => [string, string, boolean]}
}

describe('a CommonJS module loaded with its V8 code cache', () => {
  it('without a cache: loaded as require loads it', () => {
    const plain = path.join(dir, 'plain.cjs')
    copyFileSync(file, plain)
    const r = requireWithCodeCache(plain)
    expect(r.cacheUsed).toBe(false)
    expect(exportsOf(r).check({})).toBe(true)
    expect(createRequire(plain).cache[plain]?.exports).toBe(r.exports)
  })

  it('with the cache the build makes: V8 takes it, and the module works as under require, loaded once', () => {
    writeFileSync(`${file}.v8`, codeCacheOf(file, warm))
    const r = requireWithCodeCache(file)
    expect(r.cacheUsed).toBe(true)
    expect(exportsOf(r).check({})).toBe(true)
    expect(exportsOf(r).check('x')).toBe(false)
    expect(exportsOf(r).where()).toEqual(['validator.cjs', dir, true])
    // kept in require.cache, as require keeps what it loads: a second load, or a require, gets the same module
    expect(requireWithCodeCache(file).exports).toBe(r.exports)
    expect(createRequire(file)(file)).toBe(r.exports)
  })

  it('a cache that is not one, one made for another source or under other V8 flags is refused: the source is compiled instead', () => {
    const other = path.join(dir, 'other.cjs')
    writeFileSync(other, 'module.exports.check = (x) => x === 1\n')
    writeFileSync(`${other}.v8`, Buffer.from('not a code cache at all, just bytes'))
    expect(inFreshNode(other)).toBe('refused 1')
    writeFileSync(`${other}.v8`, codeCacheOf(file, warm))
    expect(inFreshNode(other)).toBe('refused 1')
    // a Node started with V8 flags of its own (the user's NODE_OPTIONS, say)
    writeFileSync(`${file}.v8`, codeCacheOf(file, warm))
    // (its check(1) is false: 1 is not an object)
    expect(inFreshNode(file)).toBe('used 0')
    expect(inFreshNode(file, ['--max-semi-space-size=32'])).toBe('refused 0')
  })
})

/**
 * Loads a module in a Node of its own (V8 keeps what a process compiled by its source, and a second load of the same
 * source takes that instead of any cache), through the build's code-cache.js: whether V8 took the cache, and what
 * check(1) answers.
 */
function inFreshNode(module: string, flags: string[] = []): string {
  const loader = path.resolve(import.meta.dirname, '../../../dist/src/model/code-cache.js')
  const code = `import {requireWithCodeCache} from ${JSON.stringify(loader)}; const r = requireWithCodeCache(${JSON.stringify(module)}); console.log(r.cacheUsed ? 'used' : 'refused', r.exports.check(1) ? 1 : 0)`
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], {encoding: 'utf8'})
  expect(r.status, r.stderr).toBe(0)
  return r.stdout.trim()
}

describe('the validators the build precompiled', () => {
  const validators = path.resolve(import.meta.dirname, '../../../dist/src/model/generated/validators')
  it('each has its code cache, which this Node takes', () => {
    // the suite runs after `npm run build` (package.json "test")
    expect(existsSync(validators)).toBe(true)
    const files = readdirSync(validators).filter((f) => f.endsWith('.cjs'))
    expect(files.length).toBeGreaterThan(30)
    for (const f of files) expect(requireWithCodeCache(path.join(validators, f)).cacheUsed, f).toBe(true)
  })
})

describe("the build's bundles, loaded with their code caches (loadBundle)", () => {
  /**
   * Runs `code` in a Node of its own with loadBundle and the bundle `main.cjs` of `dir` loaded; prints what it logs.
   * `write` then writes the code caches of the bundles it loaded, as the build does after its run.
   */
  function bundleNode(dir: string, code: string, {write = false, flags = [] as string[]} = {}): string {
    const loader = path.resolve(import.meta.dirname, '../../../dist/src/model/code-cache.js')
    const script = [
      `import {loadBundle, loadedBundles, bundleCaches} from ${JSON.stringify(loader)}`,
      "import {writeFileSync} from 'node:fs'",
      `const main = loadBundle(${JSON.stringify(path.join(dir, 'main.cjs'))})`,
      code,
      write ? 'for (const [f, data] of bundleCaches()) writeFileSync(f + ".v8", data)' : '',
      "console.log([...loadedBundles()].map(([f, used]) => f.split('/').pop() + ':' + used).sort().join(' '))",
    ].join('\n')
    const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], {encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    return r.stdout.trim()
  }

  let bundles: string
  beforeAll(() => {
    // a command's bundle as scripts/bundle-commands.ts writes it: CommonJS that requires a shared chunk, and imports a
    // package and a module of its own with __import (the build's rewriting of import())
    bundles = mkdtempSync(path.join(os.tmpdir(), 'hatang-bundles-'))
    mkdirSync(path.join(bundles, 'chunks'))
    writeFileSync(path.join(bundles, 'chunks', 'shared.cjs'), 'module.exports.kind = (x) => typeof x\nmodule.exports.loads = (module.exports.loads ?? 0) + 1\n')
    writeFileSync(path.join(bundles, 'near.mjs'), 'export const value = 42\n')
    writeFileSync(
      path.join(bundles, 'main.cjs'),
      [
        '"use strict";',
        'const shared = require("./chunks/shared.cjs");',
        'module.exports.kind = shared.kind;',
        'module.exports.pathJoin = () => __import("node:path").then((m) => typeof m.join);',
        'module.exports.near = () => __import("./near.mjs").then((m) => m.value);',
        'module.exports.where = () => [require("node:path").basename(__filename), __dirname, this === module.exports];',
        '',
      ].join('\n'),
    )
  })
  afterAll(() => rmSync(bundles, {recursive: true, force: true}))

  const use = [
    "const shared = loadBundle(path.join(main.where()[1], 'chunks', 'shared.cjs'))",
    "console.log(main.kind({}), await main.pathJoin(), await main.near(), main.where().join(','), shared.loads, shared.kind === main.kind)",
  ].join('\n')

  it('without caches: compiled, and works as under require (its requires, its imports, one load of a shared chunk)', () => {
    expect(bundleNode(bundles, `import path from 'node:path'\n${use}`)).toBe(`object function 42 main.cjs,${bundles},true 1 true\nmain.cjs:false shared.cjs:false`)
  })

  it('a circle of requires between bundles loads each once, as Node does (the second gets the exports as they are so far)', () => {
    const circle = mkdtempSync(path.join(os.tmpdir(), 'hatang-bundle-circle-'))
    try {
      writeFileSync(path.join(circle, 'main.cjs'), 'exports.early = 1;\nconst other = require("./other.cjs");\nexports.seen = other.seen;\nexports.late = 2;\n')
      writeFileSync(path.join(circle, 'other.cjs'), 'const main = require("./main.cjs");\nexports.seen = JSON.stringify(main);\n')
      expect(bundleNode(circle, 'console.log(main.seen, main.late)')).toBe('{"early":1} 2\nmain.cjs:false other.cjs:false')
    } finally {
      rmSync(circle, {recursive: true, force: true})
    }
  })

  it('with the caches a run made: V8 takes them, the shared chunk through the require too, and import() still works', () => {
    bundleNode(bundles, `import path from 'node:path'\n${use}`, {write: true})
    expect(existsSync(path.join(bundles, 'main.cjs.v8'))).toBe(true)
    expect(existsSync(path.join(bundles, 'chunks', 'shared.cjs.v8'))).toBe(true)
    // (V8 compiles a script from its cache with no host for import(): the loader passes one in)
    expect(bundleNode(bundles, `import path from 'node:path'\n${use}`)).toBe(`object function 42 main.cjs,${bundles},true 1 true\nmain.cjs:true shared.cjs:true`)
    // a Node started with V8 flags of its own compiles them instead
    expect(bundleNode(bundles, `import path from 'node:path'\n${use}`, {flags: ['--max-semi-space-size=32']})).toBe(`object function 42 main.cjs,${bundles},true 1 true\nmain.cjs:false shared.cjs:false`)
  })
})
