import {existsSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {defaultStorePath} from '../store/store-path.js'
import type {OpenOptions} from '../store/contract.js'
import {isPostgresUrl, openStore, type Store} from '../store/store.js'
import {readHidden} from './ask-secrets.js'
import {storeProblem} from '../store/store-problem.js'
import {BaseCommand} from './base-command.js'
import {warnDamaged} from './damage-warnings.js'

/** --store, shared by every command that reads or writes the run store. */
export const storeFlag = Flags.string({
  summary: 'The store: a file (default $XDG_DATA_HOME/hatang/hatang.db, i.e. ~/.local/share/hatang/hatang.db) or a postgres://USER@HOST:PORT/DB URL (password from PGPASSWORD or ~/.pgpass).',
  env: 'HATANG_STORE',
  helpValue: 'PATH|URL',
})

/**
 * How a command asks for a store server's password that PGPASSWORD and ~/.pgpass lack: on a terminal (stdin and stderr),
 * typed without echo; never in cron or a pipe, where the store is refused with what to set instead.
 */
export function storePassword(): Pick<OpenOptions, 'askPassword'> {
  return process.stdin.isTTY && process.stderr.isTTY ? {askPassword: (prompt) => readHidden(prompt)} : {}
}

/** A command that uses the store: opens it, closes it, and turns store problems into exit codes. */
export abstract class StoreCommand extends BaseCommand {
  /** Runs `fn` with the store open, and closed after; store problems end the command (see fail). */
  protected async withStore<T>(file: string | undefined, fn: (store: Store) => T | Promise<T>, options: {create?: boolean} = {}): Promise<T> {
    const path = file || defaultStorePath()
    let store: Store | undefined
    try {
      store = await openStore(path, {create: options.create ?? true, ...storePassword()})
      return await fn(store)
    } catch (error) {
      return this.fail(error, path)
    } finally {
      if (store) warnDamaged(store)
      await store?.close()
    }
  }

  /** Whether the store file exists (read-only commands say "no runs" rather than creating one); a server's store is asked. */
  protected storeExists(file: string | undefined): boolean {
    return (file !== undefined && isPostgresUrl(file)) || existsSync(file || defaultStorePath())
  }

  /**
   * Ends the command for a store problem with the README's exit code and `message — what to do` (storeProblem: a busy
   * store 4, a store that cannot be written 5). Errors that carry their own exit code (StoreError, InputError,
   * LockedError, OutputError) are shown as they are by BaseCommand; anything else is a bug (exit 70).
   */
  protected fail(error: unknown, file?: string): never {
    throw storeProblem(error, file ?? defaultStorePath())
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
