import {accessSync, constants} from 'node:fs'
import path from 'node:path'

import {ExitCode} from '../cli/exit-codes.js'
import {fsProblem, isFsError} from '../cli/fs-problem.js'
import {StoreError} from './store-error.js'

/** Whether SQLite says it cannot open or write the file (read-only file or filesystem, a folder it cannot write in, a full disk, I/O). */
export function isUnwritable(error: unknown): boolean {
  const code = (error as {code?: unknown} | undefined)?.code
  return typeof code === 'string' && /^SQLITE_(CANTOPEN|READONLY|FULL|IOERR)/.test(code)
}

/** The store's file (or its folder) cannot be made or written: an output error (exit 5) naming the path and what to do. */
export function cannotWrite(file: string, error: unknown): StoreError {
  return new StoreError(`cannot write the store ${file}: ${whyUnwritable(file, error)}`, 'nothing was changed; choose a writable place with --store (or HATANG_STORE)', ExitCode.Output)
}

/** Why: the filesystem's own word for the file or its folder (SQLite only says 'unable to open database file'), else SQLite's. */
function whyUnwritable(file: string, error: unknown): string {
  if (isFsError(error)) return fsProblem(error, file)
  for (const target of [path.dirname(path.resolve(file)), file]) {
    try {
      accessSync(target, constants.W_OK)
    } catch (problem) {
      if (isFsError(problem) && problem.code !== 'ENOENT') return fsProblem(problem, target)
    }
  }
  return (error as Error).message
}
