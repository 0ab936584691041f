import {readFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
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
  const cachedData = codeCacheBeside(file)
  if (!cachedData) return {exports: require(file), cacheUsed: false}
  const {script, module} = load(file, cachedData)
  return {exports: module.exports, cacheUsed: !script.cachedDataRejected}
}

/** The code cache the build wrote beside a module (`FILE.v8`), if there is one. */
function codeCacheBeside(file: string): Buffer | undefined {
  try {
    return readFileSync(`${file}.v8`)
  } catch {
    return undefined
  }
}

/**
 * The code cache of a module, made after `warm` called what it exports once: V8 compiles a function when it is first
 * called, so what that compiled is in the cache too.
 */
export function codeCacheOf(file: string, warm: (exports: unknown) => void): Buffer {
  const {script, module} = load(file, undefined, MODULE, false)
  warm(module.exports)
  return script.createCachedData()
}

/**
 * The build's bundles (dist/bundles: the commands, @oclif/core and their shared chunks, CommonJS that
 * scripts/bundle-commands.ts wrote) are loaded the same way, each with its code cache (`FILE.v8`, written by
 * scripts/write-bundle-caches.ts after a local collection ran from them, so that what it compiled is in the caches
 * too). Node 20 keeps no code cache for ES modules: compiling the ~1.2 MB a `collect` loads, and the functions it
 * calls, cost ~50 ms of CPU at every start.
 *
 * A bundle's `require` of another bundle (`./chunks/…cjs`) loads that one the same way. Its dynamic imports (packages
 * that are ES modules, oclif's loading of the command stubs) were written `__import(…)` by the build: a script that
 * V8 compiles from a code cache has no host to ask for `import()` (Node: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so
 * the module wrapper passes this module's `import` in.
 */
export function loadBundle(where: string | URL): unknown {
  const file = where instanceof URL ? fileURLToPath(where) : where
  // loaded already, or being loaded (a circle of requires: its exports as they are so far, as Node gives them)
  const kept = createRequire(file).cache[file]
  if (kept) return kept.exports
  // without a cache (a build that did not write one), compiled as `require` would
  const {script, module} = load(file, codeCacheBeside(file), BUNDLE)
  bundleScripts.set(file, script)
  return module.exports
}

/** The scripts of the bundles this process loaded, by file: the build writes their code caches after a run. */
const bundleScripts = new Map<string, vm.Script>()

/** The bundles this process loaded, by file: whether V8 took the code cache of each. */
export function loadedBundles(): Map<string, boolean> {
  return new Map([...bundleScripts].map(([file, script]) => [file, script.cachedDataRejected === false]))
}

/** The code cache of every bundle this process loaded so far, with what it compiled until now. */
export function bundleCaches(): Map<string, Buffer> {
  return new Map([...bundleScripts].map(([file, script]) => [file, script.createCachedData()]))
}

/** How the source of a module is wrapped: Node's wrapper, or a bundle's, which takes `import` as a sixth argument. */
interface Wrapping {
  wrap(source: string): string
  requireOf(file: string): NodeJS.Require
  importOf(file: string): ((specifier: string, options?: ImportCallOptions) => Promise<unknown>) | undefined
}

const MODULE: Wrapping = {wrap: (source) => Module.wrap(source), requireOf: (file) => createRequire(file), importOf: () => undefined}

const BUNDLE: Wrapping = {
  wrap: (source) => `(function (exports, require, module, __filename, __dirname, __import) { ${source}\n});`,
  requireOf(file) {
    const plain = createRequire(file)
    const dir = path.dirname(file)
    const bundled = ((id: string) => (/^\.\.?\//.test(id) && id.endsWith('.cjs') ? loadBundle(path.resolve(dir, id)) : plain(id))) as NodeJS.Require
    return Object.assign(bundled, {resolve: plain.resolve, cache: plain.cache, main: plain.main, extensions: plain.extensions})
  },
  // a relative specifier means the bundle's neighbour, as `import()` in the bundle would; a package is found from here,
  // in the same node_modules
  importOf: (file) => (specifier, options) => import(/^\.\.?\//.test(specifier) ? new URL(specifier, pathToFileURL(file)).href : specifier, options),
}

/**
 * Runs a CommonJS file as Node's loader does (the same wrapper, require, module, __filename, __dirname), kept in
 * require.cache unless `keep` is false (the build, making a cache, loads a module it does not use).
 */
function load(file: string, cachedData?: Buffer, wrapping: Wrapping = MODULE, keep = true): {script: vm.Script; module: NodeJS.Module} {
  const script = new vm.Script(wrapping.wrap(readFileSync(file, 'utf8')), {filename: file, ...(cachedData ? {cachedData} : {})})
  const module = new Module(file) as NodeJS.Module
  module.filename = file
  const require = wrapping.requireOf(file)
  // kept before it runs, as Node does: a circle of requires gets the exports as they are so far
  if (keep) require.cache[file] = module
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string, dynamicImport?: unknown) => void
  try {
    wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file), wrapping.importOf(file))
  } catch (error) {
    if (keep) delete require.cache[file]
    throw error
  }
  module.loaded = true
  return {script, module}
}
