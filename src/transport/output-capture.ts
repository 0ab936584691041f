import {MAX_OUTPUT_BYTES, type ExecOptions, type ExecResult} from './transport.js'

/**
 * What a command prints, kept as bytes up to MAX_OUTPUT_BYTES per stream (beyond that it is dropped and
 * marked truncated, so a host cannot exhaust our memory), streamed to onStdout until it has seen enough.
 */
export class OutputCapture {
  private readonly out: Buffer[] = []
  private readonly err: Buffer[] = []
  private outBytes = 0
  private errBytes = 0
  private truncated = false
  private readonly decoder = new TextDecoder('utf-8')
  private streaming: boolean
  private readonly started = performance.now()

  constructor(private readonly options: ExecOptions) {
    this.streaming = options.onStdout !== undefined
  }

  readonly stdout = (chunk: Buffer): void => {
    if (this.outBytes + chunk.length > MAX_OUTPUT_BYTES) {
      this.truncated = true
      return
    }
    this.outBytes += chunk.length
    this.out.push(chunk)
    if (this.streaming && this.options.onStdout!(this.decoder.decode(chunk, {stream: true})) === false) this.streaming = false
  }

  readonly stderr = (chunk: Buffer): void => {
    if (this.errBytes + chunk.length > MAX_OUTPUT_BYTES) {
      this.truncated = true
      return
    }
    this.errBytes += chunk.length
    this.err.push(chunk)
  }

  result(exitCode: number | null, timedOut: boolean): ExecResult {
    return {
      stdout: Buffer.concat(this.out).toString('utf8'),
      stderr: Buffer.concat(this.err).toString('utf8'),
      exitCode: timedOut ? null : exitCode,
      timedOut,
      durationMs: performance.now() - this.started,
      truncated: this.truncated,
    }
  }
}
