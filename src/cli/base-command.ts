import {Command, Errors} from '@oclif/core'

import {ConfigError} from '../config/config-error.js'
import {ExitCode, exitCodeName} from './exit-codes.js'
import {outputStyle, type OutputStyle} from './output-style.js'
import {terminalLines} from '../report/terminal-text.js'

/** What a command's error becomes with --json: the whole message, what kind of error it is, and the exit code. */
export interface ErrorJson {
  error: {message: string; code: string; exit: number}
}

/** What a command may throw: oclif's errors carry `oclif.exit`; hatang's own (StoreError, InputError…) `exitCode` and `hint`. */
type Thrown = Error & {exitCode?: number; hint?: string; oclif?: {exit?: number}}

/**
 * What every hatang command shares: --json, colour and TTY rules, errors that say what, where and what next.
 * Every error ends the same way, with or without --json: `Error: <message>` on stderr (unwrapped, so
 * file:line:col stays greppable) and the exit code of the README; with --json also `{"error": {message, code,
 * exit}}` on stdout. A command ends with an error through usageError/exitWith (or this.error with an exit code):
 * never a bare this.exit(N) after a message of its own, which --json would lose. A ConfigError (hosts file, pack,
 * waivers) is a usage error (exit 2) listing every problem found, one `file:line:column …` line each.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  protected style(): OutputStyle {
    return outputStyle(process.stdout)
  }

  /**
   * --json's document, as oclif prints it (two-space indent, one newline) but without its colouring pass: with no
   * JSON theme configured (hatang sets none) that pass only took the text apart and put it back together, ~15 ms of
   * CPU for a snapshot. A theme, if a user's oclif config sets one, still colours it.
   */
  override logJson(json: unknown): void {
    if (this.config.theme?.json) return super.logJson(json)
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** A usage or configuration error: exit 2, nothing written. */
  protected usageError(message: string, next?: string): never {
    return this.exitWith(ExitCode.Usage, message, next)
  }

  /** Ends the command with `message — next` and this exit code (see catch for how it is shown). */
  protected exitWith(code: ExitCode, message: string, next?: string): never {
    return this.error(next ? `${message} — ${next}` : message, {exit: code})
  }

  /** Told the message and exit code a command ends with, before they are shown (audit writes them to its --log). */
  protected onFailure(_message: string, _exit: number): void {}

  protected override async catch(thrown: Error): Promise<unknown> {
    // a bare exit (this.exit(N), oclif's own --help/--version) says nothing more
    if (thrown instanceof Errors.ExitError) throw thrown
    const err = thrown as Thrown
    const config = thrown instanceof ConfigError
    const known = config || thrown instanceof Errors.CLIError || err.oclif?.exit !== undefined || err.exitCode !== undefined
    const exit = config ? ExitCode.Usage : known ? (err.oclif?.exit ?? err.exitCode ?? ExitCode.Usage) : ExitCode.Internal
    // an unexpected exception is a bug: say so plainly, with its stack and its own exit code
    const message = config
      ? thrown.all().map((e) => e.format()).join('\n')
      : !known
        ? `internal error: ${err.message}`
        : err.hint
          ? `${err.message} — ${err.hint}`
          : err.message
    // a message may quote what a file or a host held: its control characters are escaped on the terminal
    process.stderr.write(known ? `Error: ${terminalLines(message)}\n` : `hatang: internal error: ${terminalLines(err.stack ?? err.message)}\n`)
    try {
      this.onFailure(message, exit)
    } catch {
      // a log that cannot be written must not hide the error itself
    }
    if (this.jsonEnabled()) this.logJson({error: {message, code: exitCodeName(exit), exit}} satisfies ErrorJson)
    return this.exit(exit)
  }
}
