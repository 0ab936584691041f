/**
 * Step of `npm run build`, after tsc and before the manifest: bundles each command module of dist/commands with the
 * modules of dist/ it imports into dist/bundles/commands, the code two commands share in dist/bundles/chunks (packages
 * from node_modules stay imports). A command then loads ~20 files instead of ~170: resolving, reading and compiling
 * each ESM module costs Node ~0.3 ms of CPU, paid at every start (`hatang collect`: ~45 ms of ~430). dist/src and
 * dist/inventory stay as tsc wrote them (tests, scripts and benches import them); a module that finds files next
 * to itself must not rely on its own URL (src/model/package-root.ts finds them from anywhere in the package).
 *
 * One package is bundled too: @oclif/core, which every start loads (~120 CommonJS modules with its own packages),
 * is compiled into the shared code, and dist/oclif.js (src/cli/oclif.ts) gives bin/run.js the same copy as the
 * commands. What oclif only loads for development (TypeScript, ts-node, tsx) stays outside.
 *
 * The bundles are CommonJS, loaded by src/model/code-cache.ts's loadBundle with the V8 code cache that
 * scripts/write-bundle-caches.ts writes beside each: Node 20 keeps no code cache for ES modules. Each command module
 * tsc wrote becomes a stub that loads its bundle (oclif imports dist/commands/ID.js), and so does dist/oclif.js. A
 * bundle's dynamic `import(…)` is written `__import(…)`: the loader passes it in (see loadBundle).
 */
import {builtinModules} from 'node:module'
import {mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {build, type Plugin} from 'rolldown'
import {parseAst} from 'rolldown/parseAst'

const dist = path.resolve(import.meta.dirname, '..')
const commands = path.join(dist, 'commands')
const bundles = path.join(dist, 'bundles')

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
/** The offsets of a script's `import(…)` expressions, by its syntax tree (never a word in a string or a comment). */
function dynamicImports(code: string): number[] {
  const found: number[] = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) walk(n)
    else if (node && typeof node === 'object') {
      if ((node as {type?: unknown}).type === 'ImportExpression') found.push((node as {start: number}).start)
      for (const value of Object.values(node)) if (value && typeof value === 'object') walk(value)
    }
  }
  walk(parseAst(code, {sourceType: 'script', lang: 'js'}))
  return found
}

/** Writes each bundle's `import(…)` as `__import(…)`, the function its loader passes in. */
const passedImport: Plugin = {
  name: 'passed-import',
  renderChunk(code) {
    let out = code
    for (const at of dynamicImports(code).sort((a, b) => b - a)) {
      if (out.slice(at, at + 'import'.length) !== 'import') throw new Error(`not an import() at offset ${at}: ${out.slice(at, at + 40)}`)
      out = `${out.slice(0, at)}__import${out.slice(at + 'import'.length)}`
    }
    return out === code ? null : out
  },
}

// bundles of an earlier build (chunk names carry a hash of their content, and nothing would remove them), and the
// ES module chunks that builds before dist/bundles wrote
rmSync(bundles, {recursive: true, force: true})
rmSync(path.join(dist, 'chunks'), {recursive: true, force: true})
await build({
  input: {...inputs, [RUNNER_ENTRY]: path.join(dist, 'src/cli/oclif.js')},
  platform: 'node',
  logLevel: 'warn',
  external,
  plugins: [passedImport],
  output: {
    dir: bundles,
    format: 'cjs',
    exports: 'named',
    sourcemap: false,
    banner: BANNER,
    entryFileNames: (chunk) => (chunk.name === RUNNER_ENTRY ? `${RUNNER_ENTRY}.cjs` : 'commands/[name].cjs'),
    chunkFileNames: 'chunks/[name]-[hash].cjs',
  },
  write: true,
})

/** The stub an ES module of dist/ becomes: it loads the bundle and exports what it names of it. */
function writeStub(file: string, bundle: string, names: string[]) {
  const loader = path.relative(path.dirname(file), path.join(dist, 'src/model/code-cache.js'))
  const url = path.relative(path.dirname(file), bundle)
  const body = [
    BANNER,
    `import {loadBundle} from './${loader}'`,
    `const bundle = loadBundle(new URL('./${url}', import.meta.url))`,
    ...names.map((n) => (n === 'default' ? 'export default bundle.default' : `export const ${n} = bundle.${n}`)),
    '',
  ]
  mkdirSync(path.dirname(file), {recursive: true})
  writeFileSync(file, body.join('\n'))
}
for (const id of Object.keys(inputs)) {
  writeStub(path.join(commands, `${id}.js`), path.join(bundles, 'commands', `${id}.cjs`), ['default'])
  // tsc's source maps describe the modules the bundles replaced
  rmSync(path.join(commands, `${id}.js.map`), {force: true})
}
writeStub(path.join(dist, `${RUNNER_ENTRY}.js`), path.join(bundles, `${RUNNER_ENTRY}.cjs`), ['execute', 'run'])
console.log(`bundled ${Object.keys(inputs).length} commands (shared code: ${readdirSync(path.join(bundles, 'chunks')).length} chunks in dist/bundles/chunks)`)
