import {statSync} from 'node:fs'
import path from 'node:path'

/**
 * Why a file could not be created or appended to, in words a user can act on: `read-only file system`,
 * `/srv/x is a file, not a folder`, `/srv/x/known_hosts is a folder, not a file`, … Never throws.
 */
export function whyNotWritten(file: string, error: unknown): string {
  const e = error as NodeJS.ErrnoException
  const resolved = path.resolve(file)
  switch (e?.code) {
    case 'EROFS':
      return 'read-only file system'
    case 'EACCES':
      return 'permission denied'
    case 'EPERM':
      return 'operation not permitted (an immutable or protected file?)'
    case 'EISDIR':
      return `${resolved} is a folder, not a file`
    case 'ENOTDIR':
    case 'EEXIST': {
      const blocker = firstNonFolder(path.dirname(resolved))
      if (blocker !== undefined) return `${blocker} is a file, not a folder`
      break
    }
    case 'ENOSPC':
      return 'no space left on the device'
    case 'EDQUOT':
      return 'disk quota exceeded'
  }
  // Node's message is "CODE: description, syscall 'path'": the path is said elsewhere
  const message = e?.message ?? String(error)
  return message.replace(/, \w+ '.*'$/, '')
}

/** The nearest of a folder's ancestors (itself included) that exists and is not a folder. */
function firstNonFolder(dir: string): string | undefined {
  const chain: string[] = []
  for (let d = dir; ; d = path.dirname(d)) {
    chain.unshift(d)
    if (path.dirname(d) === d) break
  }
  for (const d of chain) {
    try {
      if (!statSync(d).isDirectory()) return d
    } catch {
      return undefined
    }
  }
  return undefined
}
