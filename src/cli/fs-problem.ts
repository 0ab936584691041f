import {statSync} from 'node:fs'
import path from 'node:path'

/** The part of `target` that is a regular file where a folder is needed (ENOTDIR), if any. */
function fileInTheWay(target: string): string | undefined {
  for (let p = path.dirname(path.resolve(target)); p !== path.dirname(p); p = path.dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return p
    } catch {
      // not there (yet): look higher
    }
  }
  return undefined
}

/**
 * A filesystem error in plain words, for a message that names the path itself: 'the filesystem is read-only',
 * '/srv/x is a file, not a folder', 'permission denied'… Other errors keep their code and Node's text.
 */
export function fsProblem(error: unknown, target: string): string {
  const e = error as NodeJS.ErrnoException
  switch (e.code) {
    case 'EROFS':
      return 'the filesystem is read-only'
    case 'EACCES':
    case 'EPERM':
      return `permission denied${e.path && path.resolve(e.path) !== path.resolve(target) ? ` on ${e.path}` : ''}`
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = fileInTheWay(target)
      return file ? `${file} is a file, not a folder` : `${e.code}: ${e.message}`
    }
    case 'ENOSPC':
      return 'no space left on the device'
    case 'EDQUOT':
      return 'the disk quota is exceeded'
    case 'ENOENT':
      return e.path ? `${e.path} cannot be made` : 'a folder on its path cannot be made'
    default:
      return e.code ? `${e.code}: ${e.message}` : e.message
  }
}

/** Whether an error is the filesystem's (it has an errno code such as EROFS), not a bug. */
export function isFsError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' && /^E[A-Z]+$/.test(code)
}
