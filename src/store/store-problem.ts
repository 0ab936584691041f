import {ExitCode} from '../cli/exit-codes.js'
import {StoreError} from './store-error.js'
import {cannotWrite, isUnwritable} from './unwritable-store.js'

/**
 * An error met while using the store `file`, as the error a command ends with (README "Exit codes"): a store kept
 * busy by another writer is exit 4, a store that cannot be made or written exit 5 (naming the file and why); any
 * other error is returned as it is.
 */
export function storeProblem(error: unknown, file: string): unknown {
  const code = String((error as {code?: unknown} | undefined)?.code)
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('the store is busy: another hatang has been writing to it for too long', 'try again when it is done', ExitCode.Locked)
  }
  if (isUnwritable(error)) return cannotWrite(file, error)
  return error
}
