import os from 'node:os'
import path from 'node:path'

/** An XDG base directory: the variable when it is an absolute path (as the spec says), else the default under HOME. */
function xdg(variable: string, fallback: string, env: NodeJS.ProcessEnv): string {
  const value = env[variable]
  return value && path.isAbsolute(value) ? value : path.join(env.HOME || os.homedir(), fallback)
}

/** hatang's data folder: $XDG_DATA_HOME/hatang (default ~/.local/share/hatang): the store, scheduled reports. */
export const hatangDataDir = (env: NodeJS.ProcessEnv = process.env) => path.join(xdg('XDG_DATA_HOME', '.local/share', env), 'hatang')

/** hatang's state folder: $XDG_STATE_HOME/hatang (default ~/.local/state/hatang): logs. */
export const hatangStateDir = (env: NodeJS.ProcessEnv = process.env) => path.join(xdg('XDG_STATE_HOME', '.local/state', env), 'hatang')
