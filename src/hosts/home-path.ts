import os from 'node:os'
import path from 'node:path'

/** `~` and `~/x` become the home folder (as ssh does); other paths are left as written. */
export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === '~') return home
  if (p.startsWith('~/')) return path.join(home, p.slice(2))
  return p
}
