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

import {identifier, importExpressions, type Node} from './syntax-nodes.js'

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
/**
 * rolldown's `Object.defineProperty(exports, "NAME", {enumerable: true, get: function() { return LOCAL; }})`, a
 * statement of the chunk's top level: NAME and LOCAL.
 */
function exportGetter(statement: Node): {name: string; local: string} | undefined {
  const call = statement.type === 'ExpressionStatement' ? (statement.expression as Node) : undefined
  if (call?.type !== 'CallExpression') return undefined
  const callee = call.callee as Node
  const [target, name, descriptor] = call.arguments as Node[]
  if (callee.type !== 'MemberExpression' || !identifier(callee.object, 'Object') || !identifier(callee.property, 'defineProperty')) return undefined
  if (!identifier(target, 'exports') || name?.type !== 'Literal' || typeof name.value !== 'string' || descriptor?.type !== 'ObjectExpression') return undefined
  const properties = descriptor.properties as Node[]
  const getter = properties.find((p) => identifier(p.key, 'get'))?.value as Node | undefined
  if (properties.length !== 2 || !properties.some((p) => identifier(p.key, 'enumerable')) || getter?.type !== 'FunctionExpression') return undefined
  const body = (getter.body as Node).body as Node[]
  if (body.length !== 1 || body[0]!.type !== 'ReturnStatement' || !identifier(body[0]!.argument)) return undefined
  return {name: name.value, local: (body[0]!.argument as Node & {name: string}).name}
}

/** The names the chunk's top level declares that no code can bind anew (functions, classes, consts), with where each ends. */
function fixedBindings(program: Node): Map<string, number> {
  const fixed = new Map<string, number>()
  for (const statement of program.body as Node[]) {
    if ((statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') && identifier(statement.id)) fixed.set(statement.id.name, statement.end)
    else if (statement.type === 'VariableDeclaration' && statement.kind === 'const') {
      for (const d of statement.declarations as Node[]) if (identifier(d.id)) fixed.set(d.id.name, statement.end)
    }
  }
  return fixed
}

/**
 * Two edits of each bundle rolldown writes:
 * - its `import(…)` becomes `__import(…)`, the function its loader passes in (see src/model/code-cache.ts);
 * - an export rolldown gives a getter (for ES modules' live bindings) becomes a plain property, when what it exports
 *   is a function, class or const of the chunk's top level that is declared before: no code can bind it anew, so the
 *   property always holds what the getter would return. A getter is a function call at each use of the export from
 *   another bundle. A sweep of 500 replayed targets, four alternating runs: 14.8–15.7 ms of controller CPU a host
 *   with plain properties, 14.9–15.9 with the getters, 15.1–15.7 with the ES module bundles before (earlier, busier
 *   runs: 16.2–17.0 with the getters against 15.8–16.8 with ES modules).
 */
const bundleEdits: Plugin = {
  name: 'bundle-edits',
  renderChunk(code) {
    const program = parseAst(code, {sourceType: 'script', lang: 'js'}) as unknown as Node
    const edits: {start: number; end: number; text: string}[] = []
    for (const node of importExpressions(program)) {
      if (code.slice(node.start, node.start + 'import'.length) !== 'import') throw new Error(`not an import() at offset ${node.start}: ${code.slice(node.start, node.start + 40)}`)
      edits.push({start: node.start, end: node.start + 'import'.length, text: '__import'})
    }
    const fixed = fixedBindings(program)
    for (const statement of program.body as Node[]) {
      const getter = exportGetter(statement)
      const declared = getter && fixed.get(getter.local)
      if (getter && declared !== undefined && declared <= statement.start) edits.push({start: statement.start, end: statement.end, text: `exports[${JSON.stringify(getter.name)}] = ${getter.local};`})
    }
    if (edits.length === 0) return null
    let out = code
    for (const edit of edits.sort((a, b) => b.start - a.start)) out = `${out.slice(0, edit.start)}${edit.text}${out.slice(edit.end)}`
    return out
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
  plugins: [bundleEdits],
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

/** A relative URL path from one file's folder to another file (`/` between its parts on every system). */
const relativeUrl = (from: string, to: string) => path.relative(path.dirname(from), to).split(path.sep).join('/')

/** The stub an ES module of dist/ becomes: it loads the bundle and exports what it names of it. */
function writeStub(file: string, bundle: string, names: string[]) {
  const loader = relativeUrl(file, path.join(dist, 'src', 'model', 'code-cache.js'))
  const url = relativeUrl(file, bundle)
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
