import type {Static, TSchema} from '@sinclair/typebox'

import type {SectionStatus} from '../../src/model/section.js'

/** Platforms as `uname -s` names them; a probe runs only where its platform matches. */
export type Platform = 'Linux' | 'Darwin' | 'FreeBSD' | 'OpenBSD' | 'NetBSD' | 'SunOS'

/** What one command printed, as the batch runner recovered it. */
export interface CommandOutput {
  stdout: string
  stderr: string
  /** null when the command was killed or never finished. */
  exitCode: number | null
  timedOut: boolean
  durationMs: number
  /** False when the batch ended (timeout, dropped connection) before this command ran. */
  ran: boolean
}

export interface ProbeContext {
  /** Effective uid of the shell that ran the commands, when known. */
  uid: number | null
  /** True when the commands ran as root (directly or through sudo). */
  privileged: boolean
  /** `uname -s` of the target. */
  os: string
}

export interface ProbeResult<T> {
  status: SectionStatus
  reason?: string
  data?: T
}

/**
 * One inventory section. A probe sends shell commands through a Transport (batched with the others),
 * and turns what they printed into data with pure parsers. It never runs processes itself.
 */
export interface Probe<Id extends string = string, S extends TSchema = TSchema> {
  /** The section's key in the snapshot (camelCase). */
  readonly id: Id
  readonly title: string
  readonly platforms: readonly Platform[]
  /** JSON Schema (TypeBox) of the section's data. */
  readonly schema: S
  /**
   * Named POSIX shell commands. They run with LC_ALL=C under `sh -c`, stdin closed, each under its own
   * timeout. Exit 127 conventionally means "not installed" (see `needs()` in probe-helpers).
   */
  readonly commands: Readonly<Record<string, string>>
  /** Per-command timeout; default 10 s. */
  readonly timeoutMs?: number
  /** Relative cost, used to spread probes across parallel batches; default 1. */
  readonly weight?: number
  /** Turns the outputs into the section. Must not throw anything but ParseError. */
  interpret(outputs: Readonly<Record<string, CommandOutput>>, context: ProbeContext): ProbeResult<Static<S>>
}

export type AnyProbe = Probe<string, TSchema>

export function defineProbe<const Id extends string, S extends TSchema>(probe: Probe<Id, S>): Probe<Id, S> {
  return probe
}
