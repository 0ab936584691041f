import {ExitCode} from './exit-codes.js'

/** A file or folder hatang must write cannot be made or written (read-only, a file in the way, permissions, full): exit 5. */
export class OutputError extends Error {
  readonly exitCode = ExitCode.Output

  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'OutputError'
  }
}
