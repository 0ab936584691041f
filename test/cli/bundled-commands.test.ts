import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {parseAst} from 'rolldown/parseAst'
import {afterAll, describe, expect, it} from 'vitest'

import {importExpressions} from '../../scripts/syntax-nodes.js'
import {hatang, ROOT} from '../support/cli.js'
import {SshLab} from '../support/sshd.js'

// The build (npm test builds first) bundles each command with the modules of dist/ it imports (scripts/bundle-commands.ts):
// a command loads ~20 files of the package instead of ~170, each of which costs Node resolution and compilation at
// every start. @oclif/core, which every start loads, is bundled with them, and bin/run.js takes it from dist/oclif.js.
// The bundles are CommonJS in dist/bundles, loaded with the V8 code cache the build wrote beside each
// (src/model/code-cache.ts's loadBundle); dist/commands/ID.js and dist/oclif.js are stubs that load them.
// What the bundles must keep doing: find the precompiled validators and the package's files.
const dist = path.join(ROOT, 'dist')
const bundles = path.join(dist, 'bundles')
const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-bundled-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

function files(dir: string, ending: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name), ending) : e.name.endsWith(ending) ? [path.join(dir, e.name)] : []))
}

/** The relative specifiers a module imports or requires (static and dynamic); comment lines apart (JSDoc's `import('./index')` types). */
const relativeImports = (source: string): string[] =>
  source
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line))
    .flatMap((line) => [...line.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*|\b__import\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!))

/**
 * Runs the CLI with a hook in each Node it starts that writes down that Node's pid, every module it loads (ESM as they
 * are resolved, CommonJS at exit) and the bundles it loaded with whether V8 took their code caches.
 */
function traced(name: string, args: string[]): {r: ReturnType<typeof hatang>; pids: string[]; loaded: string[]; bundleLoads: string[]} {
  const log = path.join(work, `${name}-loaded.txt`)
  const caches = path.join(work, `${name}-caches.txt`)
  const pids = path.join(work, `${name}-pids.txt`)
  const hooks = path.join(work, `${name}-hooks.mjs`)
  const register = path.join(work, `${name}-register.mjs`)
  writeFileSync(hooks, `import {appendFileSync} from 'node:fs'\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r }\n`)
  writeFileSync(
    register,
    [
      "import {register, createRequire} from 'node:module'",
      "import {appendFileSync} from 'node:fs'",
      `appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n')`,
      `register(${JSON.stringify(pathToFileURL(hooks).href)})`,
      `import {loadedBundles} from ${JSON.stringify(pathToFileURL(path.join(dist, 'src/model/code-cache.js')).href)}`,
      'const require = createRequire(import.meta.url)',
      `process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).map((f) => 'file://' + f + '\\n').join('')))`,
      `process.on('exit', () => appendFileSync(${JSON.stringify(caches)}, [...loadedBundles()].map(([f, used]) => path.relative(${JSON.stringify(dist)}, f) + ' ' + used + '\\n').join('')))`,
      "import path from 'node:path'",
      '',
    ].join('\n'),
  )
  const r = hatang(args, {env: {NODE_OPTIONS: `--import ${register}`}})
  const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
  return {r, pids: lines(pids), loaded: [...new Set(lines(log))], bundleLoads: lines(caches)}
}

describe('the built commands', () => {
  it('are bundles: a command requires packages, node built-ins and the shared chunks, not the modules tsc wrote', () => {
    const commands = files(path.join(bundles, 'commands'), '.cjs')
    expect(commands.map((f) => path.relative(dist, f))).toEqual(expect.arrayContaining(['bundles/commands/collect.cjs', 'bundles/commands/sweep.cjs', 'bundles/commands/hosts/list.cjs']))
    const chunks = files(path.join(bundles, 'chunks'), '.cjs')
    expect(chunks.length).toBeGreaterThan(0)
    const runner = path.join(bundles, 'oclif.cjs')
    for (const file of [...commands, ...chunks, runner]) {
      const source = readFileSync(file, 'utf8')
      // loaded with its code cache, which V8 made for this source (it checks the length, not the text)
      expect(existsSync(`${file}.v8`), `${file}.v8`).toBe(true)
      for (const spec of relativeImports(source)) expect(path.relative(dist, path.resolve(path.dirname(file), spec)), `${file} requires ${spec}`).toMatch(/^bundles\/chunks\/[^/]+\.cjs$/)
      // no import() left for V8 to compile from a cache with no host to ask (see loadBundle): each is __import()
      expect(importExpressions(parseAst(source, {sourceType: 'script', lang: 'js'})).length, file).toBe(0)
    }
    // what oclif imports: stubs that load the bundles, and nothing else (the banner tells the build it ran already)
    for (const file of [...files(path.join(dist, 'commands'), '.js'), path.join(dist, 'oclif.js')]) {
      const source = readFileSync(file, 'utf8')
      expect(source.startsWith('// bundled by scripts/bundle-commands.ts'), file).toBe(true)
      expect(source.split('\n').length, file).toBeLessThan(8)
      expect(relativeImports(source).map((spec) => path.relative(dist, path.resolve(path.dirname(file), spec)))).toEqual(['src/model/code-cache.js'])
      expect(source).toMatch(/loadBundle\(new URL\('\.\/(\.\.\/)*bundles\/[^']+\.cjs', import\.meta\.url\)\)/)
    }
  })

  it("export the chunks' functions as plain properties, not getters (a getter is a call at every use from another bundle)", () => {
    const probe = files(path.join(bundles, 'chunks'), '.cjs').find((f) => path.basename(f).startsWith('probe-'))
    expect(probe).toBeDefined()
    const exports = createRequire(import.meta.url)(probe!) as Record<string, unknown>
    const functions = Object.keys(exports).filter((k) => typeof exports[k] === 'function' && !/^class\b/.test(String(exports[k])))
    expect(functions).toEqual(expect.arrayContaining(['toInt', 'succeeded']))
    for (const name of functions) expect(Object.getOwnPropertyDescriptor(exports, name), name).toHaveProperty('value', exports[name])
  })

  it('collect runs from its bundle with the precompiled validators (no schema compiled, Ajv never loaded), oclif from the bundle, each with its code cache, and the package version', () => {
    const {r, loaded, bundleLoads} = traced('collect', ['collect', '--json', '--sections', 'os'])
    expect(r.status, r.stderr).toBe(0)
    const snapshot = JSON.parse(r.stdout) as {meta: {tool: {version: string}}; sections: {os: {status: string}}}
    expect(snapshot.sections.os.status).toBe('ok')
    expect(snapshot.meta.tool.version).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string}).version)
    const ours = loaded.filter((u) => u.startsWith(pathToFileURL(dist).href)).map((u) => path.relative(dist, new URL(u).pathname))
    expect(ours).toContain('oclif.js')
    expect(ours).toContain('commands/collect.js')
    expect(ours).toContain('bundles/oclif.cjs')
    expect(ours).toContain('bundles/commands/collect.cjs')
    expect(ours).toContain('src/model/generated/validators/section_os.cjs')
    // besides the stubs, their loader, the bundles and their chunks, only the precompiled validators (CommonJS, required
    // by name)
    const expected = /^(oclif\.js|commands\/collect\.js|src\/model\/code-cache\.js|bundles\/(oclif|commands\/collect|chunks\/[^/]+)\.cjs|src\/model\/generated\/validators\/[^/]+\.cjs)$/
    expect(ours.filter((f) => !expected.test(f))).toEqual([])
    // each bundle it loaded came with its code cache, which V8 took (this Node made them, with no flags)
    expect(bundleLoads.length).toBeGreaterThan(10)
    expect(bundleLoads).toContain('bundles/commands/collect.cjs true')
    expect(bundleLoads.filter((l) => !l.endsWith(' true'))).toEqual([])
    // one oclif, the bundled one, for the runner and the command: none of its ~120 modules read from node_modules
    expect(loaded.filter((u) => /\/node_modules\/(@oclif\/core|semver|minimatch|ejs)\//.test(u))).toEqual([])
    // the validators' runtime helpers (ajv/dist/runtime/) only, never Ajv's compiler
    expect(loaded.filter((u) => /\/node_modules\/ajv\//.test(u) && !/\/node_modules\/ajv\/dist\/runtime\//.test(u))).toEqual([])
  })

  it('a sweep runs in the Node the user started (no second Node to start) and takes the code caches too', async () => {
    const lab = new SshLab()
    try {
      const web = await lab.start('cache01')
      lab.trust(web)
      const hosts = path.join(work, 'hosts.yaml')
      writeFileSync(hosts, [...lab.hostsDefaults(), '  address: 127.0.0.1', '  connectTimeout: 5', 'hosts:', `  cache01: {port: ${web.port}}`, ''].join('\n'))
      const {r, pids, bundleLoads} = traced('sweep', ['sweep', hosts, '--sections', 'os', '-o', path.join(work, 'out'), '--quiet', '--json'])
      expect(r.status, r.stderr).toBe(0)
      expect((JSON.parse(r.stdout) as {counts: unknown}).counts).toEqual({ok: 1})
      // one Node: its heap flag is set as the run starts (src/runs/heap-growth.ts), after the first caches were taken
      expect(pids).toHaveLength(1)
      expect(bundleLoads).toContain('bundles/commands/sweep.cjs true')
      expect(bundleLoads.filter((l) => !l.endsWith(' true'))).toEqual([])
    } finally {
      await lab.cleanup()
    }
  }, 60_000)
})
