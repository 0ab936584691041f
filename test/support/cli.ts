import {spawn, spawnSync, type SpawnSyncReturns} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll} from 'vitest'

import {BIN, ROOT} from './bin.js'

export {BIN, ROOT}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  /** Run as this uid/gid (through setpriv), e.g. 65534 for nobody: from a copy of the CLI that user can read (readableCli). */
  asUid?: number
  cwd?: string
  timeoutMs?: number
  /** Folders the CLI sees as a read-only filesystem (bind-mounted read-only in a private mount namespace: EROFS). */
  readOnly?: string[]
}

/** What the built CLI needs to run: copied (hard-linked) for a user who cannot read the checkout. */
const RUNTIME = ['bin', 'dist', 'package.json', 'oclif.manifest.json', 'checks', 'templates', 'schema']

/** Hard links where the filesystem allows (fast, no space), else a copy. */
function copyTree(from: string, to: string): void {
  mkdirSync(path.dirname(to), {recursive: true, mode: 0o755})
  for (const flags of ['-al', '-a']) {
    if (spawnSync('cp', [flags, from, to]).status === 0) return
    rmSync(to, {recursive: true, force: true})
  }
  throw new Error(`cannot copy ${from} to ${to}`)
}

/** The top-level folders of the production dependencies (npm ls), relative to node_modules: '@oclif/core', 'yaml'… */
function productionPackages(): string[] {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {cwd: ROOT, encoding: 'utf8'})
  const prefix = `${path.join(ROOT, 'node_modules')}${path.sep}`
  const top = r.stdout
    .split('\n')
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length))
    .filter((p) => !p.includes(`${path.sep}node_modules${path.sep}`))
    .map((p) => p.split(path.sep).slice(0, p.startsWith('@') ? 2 : 1).join(path.sep))
  if (top.length === 0) throw new Error(`npm ls --omit=dev found no production dependency in ${ROOT}: ${r.stderr}`)
  return [...new Set(top)]
}

let readable: string | undefined
// removed after the test file that made it (a vitest worker may end without an 'exit' event)
afterAll(() => {
  if (readable) rmSync(readable, {recursive: true, force: true})
  readable = undefined
})

/**
 * The CLI as another user can run it: the checkout may be unreadable to them (a clone under /root, a 0700 folder),
 * so it is copied once per test file (hard links: fast) into a fresh 0755 folder, with the production
 * dependencies, and removed after that file's tests.
 */
export function readableCli(): string {
  if (readable) return readable
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-readable-cli-'))
  chmodSync(dir, 0o755)
  for (const entry of RUNTIME) copyTree(path.join(ROOT, entry), path.join(dir, entry))
  for (const pkg of productionPackages()) copyTree(path.join(ROOT, 'node_modules', pkg), path.join(dir, 'node_modules', pkg))
  readable = dir
  return dir
}

/** The program, its arguments and the options hatang() runs them with. */
function invocation(args: string[], options: RunOptions): {argv: string[]; env: NodeJS.ProcessEnv; cwd: string} {
  // the same language defaults whatever the developer's locale: English unless a test says otherwise; and none of the
  // developer's HATANG_* settings (a HATANG_STORE would send every test's runs to their store)
  const base: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', LANG: 'C.UTF-8'}
  for (const k of Object.keys(base)) if (k.startsWith('HATANG_') || ['FORCE_COLOR', 'LC_ALL', 'LC_MESSAGES'].includes(k)) delete base[k]
  const env = {...base, ...options.env}
  const root = options.asUid === undefined ? ROOT : readableCli()
  let argv = [process.execPath, path.join(root, 'bin/run.js'), ...args]
  if (options.asUid !== undefined) argv = ['setpriv', `--reuid=${options.asUid}`, `--regid=${options.asUid}`, '--clear-groups', ...argv]
  if (options.readOnly?.length) {
    const mounts = options.readOnly.map((d) => `mount --bind "${d}" "${d}" && mount -o remount,bind,ro "${d}"`).join(' && ')
    argv = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${mounts} && exec "$@"`, 'sh', ...argv]
  }
  return {argv, env, cwd: options.cwd ?? root}
}

/** Runs the built CLI as a user would, and returns what it printed and its exit code. */
export function hatang(args: string[], options: RunOptions = {}): SpawnSyncReturns<string> {
  const {argv, env, cwd} = invocation(args, options)
  return spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', env, cwd, timeout: options.timeoutMs ?? 60_000})
}

/** hatang(), without waiting: for runs that must overlap (each waiting on the same busy store). */
export function hatangAsync(args: string[], options: RunOptions = {}): Promise<{status: number | null; stdout: string; stderr: string}> {
  const {argv, env, cwd} = invocation(args, options)
  const child = spawn(argv[0]!, argv.slice(1), {env, cwd, timeout: options.timeoutMs ?? 60_000})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (status) => resolve({status, stdout, stderr}))
  })
}

/** Runs a command through the shell for an independent reading of the machine. */
export function sh(command: string): string {
  const r = spawnSync('/bin/sh', ['-c', command], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}})
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr}`)
  return r.stdout
}
