import {mkdirSync} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import path from 'node:path'

/** Parents are made at most this deep: a path that long is a mistake, not a folder to make. */
const MAX_DEPTH = 64

/**
 * Creates a folder and its missing parents. Not `mkdir({recursive: true})`: Node's loops forever where the
 * parent exists but the child cannot be made (under /proc, for one). Throws the first real error (ENOTDIR
 * below a regular file, EACCES, EROFS…) with its `code` and `path`.
 */
export async function ensureDir(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    const parent = path.dirname(dir)
    if (code !== 'ENOENT' || parent === dir || depth > MAX_DEPTH) throw error
    await ensureDir(parent, depth + 1)
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again
    })
  }
}

/** ensureDir, synchronously (the lock, the log and the store are opened before anything else runs). */
export function ensureDirSync(dir: string, depth = 0): void {
  try {
    mkdirSync(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    const parent = path.dirname(dir)
    if (code !== 'ENOENT' || parent === dir || depth > MAX_DEPTH) throw error
    ensureDirSync(parent, depth + 1)
    try {
      mkdirSync(dir)
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again
    }
  }
}
