import os from 'node:os'
import path from 'node:path'

/** The store's default file, by the XDG base directory rules: $XDG_DATA_HOME/hatang/hatang.db, else ~/.local/share/hatang/hatang.db. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME
  // the spec says a relative XDG_DATA_HOME is invalid and must be ignored
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share')
  return path.join(base, 'hatang', 'hatang.db')
}
