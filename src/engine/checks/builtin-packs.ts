import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

/** The folder of built-in check packs (checks/ at the package root), found from wherever this module runs. */
let packsDir: string | undefined
export function builtinPacksDir(): string {
  packsDir ??= findPacksDir()
  return packsDir
}

function findPacksDir(): string {
  let dir = import.meta.dirname
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as {name?: string}).name === 'hatang') return path.join(dir, 'checks')
    dir = path.dirname(dir)
  }
  throw new Error('cannot find the built-in check packs (checks/ beside package.json)')
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
