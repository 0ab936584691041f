/** Thrown by a parser when the text it was given is not what the command prints. Never anything else. */
export class ParseError extends Error {
  override readonly name = 'ParseError'
  constructor(
    message: string,
    /** 1-based line of the input where the problem is, when it is known. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`)
  }
}
