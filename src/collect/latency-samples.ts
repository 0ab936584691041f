import type {Snapshot} from '../model/snapshot.js'
import type {LatencySample} from './adaptive-limit.js'

/**
 * What a collected host's snapshot tells of the waits it had, for the sweep's limit: the first answer of a command
 * batch (the round trip the clock reading measured: the batch sent, the target's shell started, its first line
 * back) against the command timeout, and its longest batch against the batch deadline.
 */
export function latencySamples(meta: Snapshot['meta'], timeouts: {commandTimeoutMs: number; deadlineMs: number}, admittedAtMs: number): LatencySample[] {
  const samples: LatencySample[] = []
  if (meta.clock) samples.push({kind: 'answer', ms: meta.clock.uncertaintyMs * 2, timeoutMs: timeouts.commandTimeoutMs, admittedAtMs})
  if (meta.batches.length > 0) samples.push({kind: 'batch', ms: Math.max(...meta.batches.map((b) => b.durationMs)), timeoutMs: timeouts.deadlineMs, admittedAtMs})
  return samples
}
