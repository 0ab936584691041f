import {readFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import path from 'node:path'
import vm from 'node:vm'

/**
 * CommonJS modules (the precompiled validators, 2.8 MB of generated code) loaded with a V8 code cache that the build
 * made beside each (`FILE.v8`, codeCacheOf): V8 then takes the bytecode it made at the build instead of parsing and
 * compiling the source again, on every command (this Node's `require` keeps no such cache). Loading and first
 * calling all 43 validators: ~105–115 ms of CPU without it, ~30 ms with it.
 *
 * The cache is only ever a shortcut: V8 refuses one made by another V8 version, with other V8 flags (a fleet command's
 * child Node, NODE_OPTIONS) or for a source of another length, and then compiles the source as `require` would. V8
 * checks the source's length, not its text: the build writes each cache with its module, and nothing else writes
 * either.
 */

/** What requireWithCodeCache did: whether V8 took the cache in this load (false: no cache, V8 refused it, or the module was loaded already). */
export interface CachedLoad {
  exports: unknown
  cacheUsed: boolean
}

/**
 * The module's exports, its code taken from `FILE.v8` when there is one and V8 accepts it. Like `require`, it keeps
 * the module in require.cache (which Node's documentation lets one add to) and loads it once.
 */
export function requireWithCodeCache(file: string): CachedLoad {
  const require = createRequire(file)
  const kept = require.cache[file]
  if (kept?.loaded) return {exports: kept.exports, cacheUsed: false}
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(`${file}.v8`)
  } catch {
    return {exports: require(file), cacheUsed: false}
  }
  const {script, module} = load(file, cachedData)
  require.cache[file] = module
  return {exports: module.exports, cacheUsed: !script.cachedDataRejected}
}

/**
 * The code cache of a module, made after `warm` called what it exports once: V8 compiles a function when it is first
 * called, so what that compiled is in the cache too.
 */
export function codeCacheOf(file: string, warm: (exports: unknown) => void): Buffer {
  const {script, module} = load(file)
  warm(module.exports)
  return script.createCachedData()
}

/** Runs a CommonJS file as Node's loader does (the same wrapper, require, module, __filename, __dirname). */
function load(file: string, cachedData?: Buffer): {script: vm.Script; module: NodeJS.Module} {
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {filename: file, ...(cachedData ? {cachedData} : {})})
  const module = new Module(file) as NodeJS.Module
  module.filename = file
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file))
  module.loaded = true
  return {script, module}
}
