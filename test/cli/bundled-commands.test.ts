import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {hatang, ROOT} from '../support/cli.js'

// The build (npm test builds first) bundles each command with the modules of dist/ it imports (scripts/bundle-commands.ts):
// a command loads ~10 modules of the package instead of ~170, each of which costs Node resolution and compilation at
// every start. @oclif/core, which every start loads, is bundled with them, and bin/run.js takes it from dist/oclif.js.
// What the bundles must keep doing: find the precompiled validators and the package's files.
const dist = path.join(ROOT, 'dist')
const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-bundled-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

function jsFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []))
}

/** The relative specifiers a module imports (static and dynamic); comment lines apart (JSDoc's `import('./index')` types). */
const relativeImports = (source: string): string[] =>
  source
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line))
    .flatMap((line) => [...line.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!))

describe('the built commands', () => {
  it('are bundles: a command imports packages, node built-ins and the shared chunks, not the modules tsc wrote', () => {
    const commands = jsFiles(path.join(dist, 'commands'))
    expect(commands.map((f) => path.relative(dist, f))).toEqual(expect.arrayContaining(['commands/collect.js', 'commands/sweep.js', 'commands/hosts/list.js']))
    const chunks = jsFiles(path.join(dist, 'chunks'))
    expect(chunks.length).toBeGreaterThan(0)
    for (const file of chunks) expect(readFileSync(file, 'utf8').startsWith('// bundled by scripts/bundle-commands.ts'), file).toBe(true)
    const runner = path.join(dist, 'oclif.js')
    expect(readFileSync(runner, 'utf8').startsWith('// bundled by scripts/bundle-commands.ts')).toBe(true)
    for (const file of [...commands, ...chunks, runner]) {
      const source = readFileSync(file, 'utf8')
      for (const spec of relativeImports(source)) expect(path.relative(dist, path.resolve(path.dirname(file), spec)), `${file} imports ${spec}`).toMatch(/^chunks\/[^/]+\.js$/)
    }
  })

  it('collect runs from its bundle with the precompiled validators (no schema compiled, Ajv never loaded), oclif from the bundle, and the package version', () => {
    // a hook in the CLI's process writes down every module it loads: ESM as they are resolved, CommonJS at exit
    const log = path.join(work, 'loaded.txt')
    const hooks = path.join(work, 'hooks.mjs')
    const register = path.join(work, 'register.mjs')
    writeFileSync(hooks, `import {appendFileSync} from 'node:fs'\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r }\n`)
    writeFileSync(
      register,
      [
        "import {register, createRequire} from 'node:module'",
        "import {appendFileSync} from 'node:fs'",
        `register(${JSON.stringify(pathToFileURL(hooks).href)})`,
        'const require = createRequire(import.meta.url)',
        `process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).map((f) => 'file://' + f + '\\n').join('')))`,
        '',
      ].join('\n'),
    )
    const r = hatang(['collect', '--json', '--sections', 'os'], {env: {NODE_OPTIONS: `--import ${register}`}})
    expect(r.status, r.stderr).toBe(0)
    const snapshot = JSON.parse(r.stdout) as {meta: {tool: {version: string}}; sections: {os: {status: string}}}
    expect(snapshot.sections.os.status).toBe('ok')
    expect(snapshot.meta.tool.version).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string}).version)
    const loaded = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))]
    const ours = loaded.filter((u) => u.startsWith(pathToFileURL(dist).href)).map((u) => path.relative(dist, new URL(u).pathname))
    expect(ours).toContain('oclif.js')
    expect(ours).toContain('commands/collect.js')
    expect(ours).toContain('src/model/generated/validators/section_os.cjs')
    // besides the runner's entry, the bundle and its chunks, only the precompiled validators (CommonJS, required by name)
    expect(ours.filter((f) => !/^(oclif\.js|commands\/collect\.js|chunks\/[^/]+\.js|src\/model\/generated\/validators\/[^/]+\.cjs)$/.test(f))).toEqual([])
    // one oclif, the bundled one, for the runner and the command: none of its ~120 modules read from node_modules
    expect(loaded.filter((u) => /\/node_modules\/(@oclif\/core|semver|minimatch|ejs)\//.test(u))).toEqual([])
    // the validators' runtime helpers (ajv/dist/runtime/) only, never Ajv's compiler
    expect(loaded.filter((u) => /\/node_modules\/ajv\//.test(u) && !/\/node_modules\/ajv\/dist\/runtime\//.test(u))).toEqual([])
  })
})
