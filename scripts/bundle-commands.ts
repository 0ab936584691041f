/**
 * Step of `npm run build`, after tsc and before the manifest: replaces each command module in dist/commands with a
 * bundle of it and of the modules of dist/ it imports, the code two commands share in dist/chunks (packages from
 * node_modules stay imports). A command then loads ~10 modules instead of ~170: resolving, reading and compiling
 * each ESM module costs Node ~0.3 ms of CPU, paid at every start (`hatang collect`: ~45 ms of ~430). dist/src and
 * dist/inventory stay as tsc wrote them (tests, scripts and benches import them); a module that finds files next
 * to itself must not rely on its own URL (src/model/package-root.ts finds them from anywhere in the package).
 *
 * One package is bundled too: @oclif/core, which every start loads (~120 CommonJS modules with its own packages),
 * is compiled into the shared code, and dist/oclif.js (src/cli/oclif.ts) gives bin/run.js the same copy as the
 * commands. What oclif only loads for development (TypeScript, ts-node, tsx) stays outside.
 */
import {builtinModules} from 'node:module'
import {readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import path from 'node:path'

import {build} from 'rolldown'

const dist = path.resolve(import.meta.dirname, '..')
const commands = path.join(dist, 'commands')
const chunks = path.join(dist, 'chunks')

/** The command modules tsc wrote, by their id's path (`hosts/list`). */
function commandModules(dir: string, inputs: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name)
    if (statSync(file).isDirectory()) commandModules(file, inputs)
    else if (name.endsWith('.js')) inputs[path.relative(commands, file).slice(0, -'.js'.length)] = file
  }
  return inputs
}

const BANNER = '// bundled by scripts/bundle-commands.ts'
/** The runner's entry (bin/run.js imports dist/oclif.js). */
const RUNNER_ENTRY = 'oclif'
const BUNDLED_PACKAGE = '@oclif/core'
/** What @oclif/core loads only when it runs a plugin from its TypeScript sources. */
const DEVELOPMENT_ONLY = new Set(['typescript', 'ts-node', 'tsx'])
const BUILTINS = new Set(builtinModules)

/** Packages stay imports from node_modules, but @oclif/core and what it imports (its own packages) are bundled. */
function external(id: string, importer: string | undefined): boolean {
  if (id.startsWith('.') || path.isAbsolute(id)) return false
  const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]!
  if (id.startsWith('node:') || BUILTINS.has(name) || DEVELOPMENT_ONLY.has(name)) return true
  if (name === BUNDLED_PACKAGE) return false
  // a package that @oclif/core (or a package it brought in) imports comes with it
  return !importer?.split(path.sep).includes('node_modules')
}
const inputs = commandModules(commands)
// run twice without tsc in between, it would bundle bundles, whose shared chunks it is about to remove
const bundled = Object.values(inputs).filter((file) => readFileSync(file, 'utf8').startsWith(BANNER))
if (bundled.length > 0) {
  console.log(`dist/commands is bundled already (${path.relative(dist, bundled[0]!)}): nothing to do (tsc writes it anew)`)
  process.exit(0)
}
// chunks of an earlier build: names carry a hash of their content, and nothing would remove them
rmSync(chunks, {recursive: true, force: true})
await build({
  input: {...inputs, [RUNNER_ENTRY]: path.join(dist, 'src/cli/oclif.js')},
  platform: 'node',
  logLevel: 'warn',
  external,
  output: {
    dir: dist,
    format: 'esm',
    sourcemap: false,
    banner: BANNER,
    entryFileNames: (chunk) => (chunk.name === RUNNER_ENTRY ? `${RUNNER_ENTRY}.js` : 'commands/[name].js'),
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
  write: true,
})
// tsc's source maps describe the modules the bundles replaced
for (const id of Object.keys(inputs)) rmSync(path.join(commands, `${id}.js.map`), {force: true})
console.log(`bundled ${Object.keys(inputs).length} commands (shared code: ${readdirSync(chunks).length} chunks in dist/chunks)`)
