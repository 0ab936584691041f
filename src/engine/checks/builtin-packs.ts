import {existsSync, readdirSync} from 'node:fs'
import path from 'node:path'

import {packageDir} from '../../model/package-root.js'

/** The folder of built-in check packs (checks/ at the package root). */
export function builtinPacksDir(): string {
  return packageDir('checks')
}

/** Built-in pack names (file names without .yaml). */
export function builtinPackNames(): string[] {
  return readdirSync(builtinPacksDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort()
}

/** A pack argument: a built-in name, or a file path. */
export function packFile(nameOrFile: string): string {
  if (/^[a-z0-9-]+$/.test(nameOrFile) && !existsSync(nameOrFile)) return path.join(builtinPacksDir(), `${nameOrFile}.yaml`)
  return nameOrFile
}
