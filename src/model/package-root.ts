import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

let root: string | undefined

/**
 * A folder or file at hatang's package root (checks/, templates/, package.json, the precompiled validators in dist/),
 * found once from wherever this module runs: src/model/ under vitest, dist/src/model/ when built,
 * dist/bundles/chunks/ when a command's bundle holds it (scripts/bundle-commands.ts), and the same under
 * node_modules/hatang/ when installed.
 */
export function packageDir(folder: string): string {
  root ??= findRoot()
  return path.join(root, folder)
}

function findRoot(): string {
  let dir = import.meta.dirname
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as {name?: string}).name === 'hatang') return dir
    dir = path.dirname(dir)
  }
  throw new Error('cannot find the hatang package root (package.json) above this module')
}
