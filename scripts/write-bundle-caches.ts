/**
 * Last step of `npm run build`: writes the V8 code cache of each bundle (dist/bundles/…cjs.v8, taken by
 * src/model/code-cache.ts's loadBundle). A code cache holds what V8 had compiled when it was made, and V8 compiles a
 * function when it is first called: the caches are made in this Node after a local collection ran from the bundles
 * (`hatang collect --json --quiet`, its output thrown away and the package-index cache it fills in a folder of its
 * own) and every other bundle was loaded. What a start, a collection and an audit's local session compile is then
 * in them. Made by this Node with no flags, as `hatang` runs (audit and sweep set their heap flag once loaded: see
 * src/runs/heap-growth.ts): a Node of another version, or started with other V8 flags, refuses them and compiles the
 * bundles instead.
 *
 * A collection that fails here (a machine where some command of the host cannot run) fails nothing: the caches then
 * hold less.
 */
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {bundleCaches, loadBundle} from '../src/model/code-cache.js'

const dist = path.resolve(import.meta.dirname, '..')
const bundles = path.join(dist, 'bundles')
const cjs = (dir: string): string[] => readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.cjs')).map((f) => path.join(dir, f))
for (const file of cjs(bundles)) rmSync(`${file}.v8`, {force: true})

const cache = mkdtempSync(path.join(os.tmpdir(), 'hatang-warm-'))
const {XDG_CACHE_HOME} = process.env
const write = process.stdout.write
let outcome = 'ran'
try {
  process.env.XDG_CACHE_HOME = cache
  process.stdout.write = (() => true) as typeof process.stdout.write
  const {run} = (await import(pathToFileURL(path.join(dist, 'oclif.js')).href)) as {run: (argv: string[], dir: string) => Promise<unknown>}
  await run(['collect', '--json', '--quiet'], pathToFileURL(path.join(dist, '..', 'bin', 'run.js')).href)
} catch (error) {
  outcome = `failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): the caches hold less`
} finally {
  process.stdout.write = write
  if (XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME
  else process.env.XDG_CACHE_HOME = XDG_CACHE_HOME
  rmSync(cache, {recursive: true, force: true})
  // the collection's outcome is not the build's
  process.exitCode = 0
}
for (const file of cjs(bundles)) loadBundle(file)
const caches = bundleCaches()
let bytes = 0
for (const [file, data] of caches) {
  writeFileSync(`${file}.v8`, data)
  bytes += data.length
}
console.log(`wrote the bundles' V8 code caches (${caches.size} files, ${(bytes / 2 ** 20).toFixed(1)} MB; a local collection ${outcome})`)
