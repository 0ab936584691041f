import {appendFileSync} from 'node:fs'
import path from 'node:path'

import {terminalLines} from '../report/terminal-text.js'
import {fsProblem, isFsError} from './fs-problem.js'
import {ensureDirSync} from '../files/make-dir.js'
import {OutputError} from './output-error.js'

/**
 * The audit's log file (--log): plain lines, each stamped with the UTC time and the process id, appended
 * (never truncated) so successive cron runs read as one history. Writes are synchronous and whole lines,
 * so a killed run leaves every line it logged. No colours, no secrets (hosts, statuses, reasons only); what a host
 * sent has its control characters escaped, so `tail` of the log never runs a terminal escape sequence.
 */
export class AuditLog {
  private constructor(readonly file: string | undefined) {}

  /** A log to this file (its folder created), or one that discards when no file is given. Throws OutputError (exit 5) when it cannot be written. */
  static open(file: string | undefined): AuditLog {
    if (file) {
      try {
        ensureDirSync(path.dirname(path.resolve(file)))
        appendFileSync(file, '')
      } catch (error) {
        if (isFsError(error)) throw new OutputError(`cannot write the log ${file}: ${fsProblem(error, file)}`, 'choose another --log')
        throw error
      }
    }
    return new AuditLog(file)
  }

  line(message: string): void {
    if (!this.file) return
    const stamp = `${new Date().toISOString()} [${process.pid}]`
    appendFileSync(this.file, terminalLines(message).split('\n').map((l) => `${stamp} ${l}\n`).join(''))
  }
}
