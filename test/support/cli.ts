import {spawnSync, type SpawnSyncReturns} from 'node:child_process'
import path from 'node:path'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const BIN = path.join(ROOT, 'bin/run.js')

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  /** Run as this uid/gid (through setpriv), e.g. 65534 for nobody. */
  asUid?: number
  cwd?: string
  timeoutMs?: number
}

/** Runs the built CLI as a user would, and returns what it printed and its exit code. */
export function hatang(args: string[], options: RunOptions = {}): SpawnSyncReturns<string> {
  // the same language defaults whatever the developer's locale: English unless a test says otherwise
  const base: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', LANG: 'C.UTF-8'}
  for (const k of ['FORCE_COLOR', 'LC_ALL', 'LC_MESSAGES', 'HATANG_LANG']) delete base[k]
  const env = {...base, ...options.env}
  const [file, argv] =
    options.asUid === undefined
      ? [process.execPath, [BIN, ...args]]
      : ['setpriv', [`--reuid=${options.asUid}`, `--regid=${options.asUid}`, '--clear-groups', process.execPath, BIN, ...args]]
  return spawnSync(file, argv, {encoding: 'utf8', env, cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 60_000})
}

/** Runs a command through the shell for an independent reading of the machine. */
export function sh(command: string): string {
  const r = spawnSync('/bin/sh', ['-c', command], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}})
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr}`)
  return r.stdout
}
