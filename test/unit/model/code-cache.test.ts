import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
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
    // a fleet command runs in a child Node with flags of its own
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
