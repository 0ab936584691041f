/** The only layer that runs processes. A non-zero exit is data; only broken plumbing throws. */
export interface ExecOptions {
  /** Kill the command (and its process group) after this many milliseconds. */
  timeoutMs?: number
  /** Written to the command's standard input, then closed. */
  stdin?: string
  /**
   * Called with each chunk of standard output as it arrives (for clock measurement and progress). Returning
   * false says it has seen enough: later chunks are not decoded for it.
   */
  onStdout?: (chunk: string) => boolean | void
}

export interface ExecResult {
  stdout: string
  stderr: string
  /** null when the process was killed by a signal (see timedOut). */
  exitCode: number | null
  timedOut: boolean
  durationMs: number
  /** True when the output exceeded the transport's cap and was cut. */
  truncated: boolean
}

export type TransportKind = 'local' | 'ssh' | 'chroot'

export interface Transport {
  readonly kind: TransportKind
  /** A human label for the target: hostname, alias or chroot path. */
  readonly target: string
  /** The platform of the target, as node's process.platform names it, when known before connecting. */
  readonly platform: NodeJS.Platform | 'unknown'
  /** Runs a POSIX shell command on the target with LC_ALL=C. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>
  close(): Promise<void>
}

/** Broken plumbing: the process could not be started, the connection is gone. */
export class TransportError extends Error {
  override readonly name = 'TransportError'
  constructor(message: string, readonly code: string, options?: {cause?: unknown}) {
    super(message, options)
  }
}

/** Output beyond this many bytes per stream is dropped (and marked truncated): a host cannot exhaust our memory. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024
