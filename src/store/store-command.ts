import {existsSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {ExitCode} from '../cli/exit-codes.js'
import {InputError} from '../engine/load-snapshots.js'
import {defaultStorePath} from './store-path.js'
import {StoreError} from './store-error.js'
import {openStore, type Store} from './store.js'

/** --store, shared by every command that reads or writes the run store. */
export const storeFlag = Flags.string({
  summary: 'The store file (default $XDG_DATA_HOME/hatang/hatang.db, i.e. ~/.local/share/hatang/hatang.db).',
  env: 'HATANG_STORE',
  helpValue: 'PATH',
})

/** A command that uses the store: opens it, closes it, and turns store problems into exit codes. */
export abstract class StoreCommand extends BaseCommand {
  /** Runs `fn` with the store open; StoreError and InputError exit 2 (or their own code) with `message — hint`. */
  protected withStore<T>(file: string | undefined, fn: (store: Store) => T, options: {create?: boolean} = {}): T {
    const path = file || defaultStorePath()
    let store: Store | undefined
    try {
      store = openStore(path, {create: options.create ?? true})
      return fn(store)
    } catch (error) {
      return this.fail(error)
    } finally {
      store?.close()
    }
  }

  /** Whether the store file exists (read-only commands say "no runs" rather than creating one). */
  protected storeExists(file: string | undefined): boolean {
    return existsSync(file || defaultStorePath())
  }

  protected fail(error: unknown): never {
    if (error instanceof StoreError) {
      if (error.exitCode === ExitCode.Usage) this.usageError(error.message, error.hint)
      this.error(error.hint ? `${error.message} — ${error.hint}` : error.message, {exit: error.exitCode})
    }
    if (error instanceof InputError) this.usageError(error.message, error.hint)
    const code = (error as {code?: string}).code
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      this.error('the store is busy: another hatang has been writing to it for too long — try again when it is done', {exit: ExitCode.Locked})
    }
    if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN') {
      this.error(`the store cannot be written (${(error as Error).message}) — nothing was changed; free space or choose another --store`, {exit: ExitCode.Output})
    }
    throw error
  }

  /** The run id the arguments name: a single whole number that names no file (else undefined: they are files). */
  protected runIdArgument(args: readonly string[]): number | undefined {
    return args.length === 1 && /^\d+$/.test(args[0]!) && !existsSync(args[0]!) ? this.runId(args[0]!) : undefined
  }

  /** A run id argument: a whole number, else exit 2. */
  protected runId(text: string): number {
    if (!/^[1-9]\d*$/.test(text)) this.usageError(`'${text}' is not a run id`, "'hatang runs list' shows the stored runs")
    return Number(text)
  }
}
