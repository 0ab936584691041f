import type {TransportKind} from '../model/transport-kind.js'

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

/**
 * A language a transport carries to its target and implementations speak. `posix-sh`: POSIX shell commands, run with
 * LC_ALL=C through the transport's `exec`. Future dialects (`powershell`, `snmp`) come with their transports, runners and
 * implementations.
 */
export type Dialect = 'posix-sh'

export const POSIX_SH = 'posix-sh' satisfies Dialect

/** A way to reach one target. What it can carry is its dialects; each dialect's runner uses what that dialect needs of it. */
export interface Transport {
  readonly kind: TransportKind
  /** A human label for the target: hostname, alias or chroot path. */
  readonly target: string
  /** The platform of the target, as node's process.platform names it, when known before connecting. */
  readonly platform: NodeJS.Platform | 'unknown'
  /** The dialects this transport runs, preferred first (none: only native collection, if any, reads the target). */
  readonly dialects: readonly Dialect[]
  /** Set when the transport runs with less than the host's settings asked for (`sudo refused (…): collected without privileges`). */
  readonly degraded?: string
  close(): Promise<void>
}

/** A transport that runs commands: `exec` runs one in the target's shell (a POSIX shell, with LC_ALL=C, for posix-sh). */
export interface CommandTransport extends Transport {
  exec(command: string, options?: ExecOptions): Promise<ExecResult>
  /**
   * The target's output reaches this process through a pipe of its own (this machine, a chroot), where a write costs
   * no packet on the way: a batch then sends its output as written, not in blocks (BatchScriptOptions.blocks).
   */
  readonly piped?: boolean
}

/** Whether a transport can run a dialect that needs exec (posix-sh): it says it runs it, and has exec. */
export function runsCommands(transport: Transport, dialect: Dialect): transport is CommandTransport {
  return transport.dialects.includes(dialect) && typeof (transport as Partial<CommandTransport>).exec === 'function'
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
