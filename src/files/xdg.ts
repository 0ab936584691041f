import os from 'node:os'
import path from 'node:path'

/** An XDG base directory: the variable when it is an absolute path (as the spec says), else the default under HOME. */
export function xdgDir(variable: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[variable]
  return value && path.isAbsolute(value) ? value : path.join(env.HOME || os.homedir(), fallback)
}

/** hatang's cache folder: $XDG_CACHE_HOME/hatang (default ~/.cache/hatang): what can be made again (package indexes). */
export const hatangCacheDir = (env: NodeJS.ProcessEnv = process.env) => path.join(xdgDir('XDG_CACHE_HOME', '.cache', env), 'hatang')
