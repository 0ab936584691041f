import {Command, Errors} from '@oclif/core'

import {ExitCode} from './exit-codes.js'
import {outputStyle, type OutputStyle} from './output-style.js'

/** What every hatang command shares: --json, colour and TTY rules, errors that say what, where and what next. */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  protected style(): OutputStyle {
    return outputStyle(process.stdout)
  }

  /** A usage or configuration problem: exit 2, nothing written. */
  /** A usage or configuration error: exit 2, the message on stderr unwrapped (file:line:col stays greppable). */
  protected usageError(message: string, next?: string): never {
    const text = next ? `${message} — ${next}` : message
    if (this.jsonEnabled()) this.error(text, {exit: ExitCode.Usage})
    this.logToStderr(`Error: ${text}`)
    this.exit(ExitCode.Usage)
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (!(err instanceof Errors.CLIError) && err.oclif === undefined && err.exitCode === undefined) {
      // an unexpected exception is a bug: say so plainly, with its own exit code
      this.logToStderr(`hatang: internal error: ${err.stack ?? err.message}`)
      this.exit(ExitCode.Internal)
    }
    return super.catch(err)
  }
}
