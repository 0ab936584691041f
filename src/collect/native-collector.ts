import type {DataOf, ProbeResult} from '../../inventory/kit/implementation.js'
import type {AnySectionSpec} from '../model/section-spec.js'

/**
 * Collects one section on the local machine through systeminformation instead of a transport (the on-site
 * workstation case, Windows included). Its data has the section's schema, as any implementation's.
 */
export interface NativeCollector<S extends AnySectionSpec = AnySectionSpec> {
  readonly section: S
  /** Platforms (node's process.platform names) where this collector works. */
  readonly platforms: readonly NodeJS.Platform[]
  collect(): Promise<ProbeResult<DataOf<S>>>
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
