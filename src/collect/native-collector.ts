import type {Static, TSchema} from '@sinclair/typebox'

import type {Probe, ProbeResult} from '../../inventory/kit/probe.js'

/**
 * Collects one section on the local machine through systeminformation instead of shell commands
 * (the on-site workstation case, Windows included). Its data has the same schema as the probe's.
 */
export interface NativeCollector<P extends Probe<string, TSchema> = Probe<string, TSchema>> {
  readonly probe: P
  /** Platforms (node's process.platform names) where this collector works. */
  readonly platforms: readonly NodeJS.Platform[]
  collect(): Promise<ProbeResult<Static<P['schema']>>>
}

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError'
}

/** Resolves with the promise's value, or rejects with DeadlineError after `ms`; a hung system call cannot freeze the CLI. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} did not finish within ${ms} ms`)), ms)
    timer.unref()
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
