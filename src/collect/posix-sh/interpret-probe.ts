import type {ProbeResult} from '../../../inventory/kit/implementation.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {AnyProbe, CommandOutput, ProbeContext} from '../../../inventory/kit/probe.js'
import type {SectionStatus} from '../../model/section.js'
import {normalise} from '../normalise-section.js'

/**
 * Runs a probe's interpreter on its outputs and makes sure the result is a valid section, whatever
 * the host printed: a parse error or a bug becomes an `error` section, never a crash.
 */
export function interpretProbe(
  probe: AnyProbe,
  outputs: ReadonlyMap<string, CommandOutput>,
  context: ProbeContext,
  batchFailure?: string,
): ProbeResult<unknown> & {durationMs: number} {
  const outs = outputsOf(probe, outputs)
  let durationMs = 0
  let ranAny = false
  let timedOut = false
  for (const o of Object.values(outs)) {
    durationMs += o.durationMs
    ranAny ||= o.ran
    timedOut ||= o.timedOut
  }
  if (!ranAny) {
    const status: SectionStatus = timedOut || /timed out/.test(batchFailure ?? '') ? 'timeout' : 'error'
    return {status, reason: batchFailure ?? 'commands did not run', durationMs}
  }
  let result: ProbeResult<unknown>
  try {
    result = probe.interpret(outs, context)
  } catch (error) {
    const reason =
      error instanceof ParseError ? `cannot parse output: ${error.message}` : `internal error in probe ${probe.id}: ${(error as Error)?.message ?? String(error)}`
    return {status: 'error', reason, durationMs}
  }
  return {...normalise(probe.section, result), durationMs}
}

/** A probe's outputs by command name, from a batch's outputs by key. */
export function outputsOf(probe: AnyProbe, outputs: ReadonlyMap<string, CommandOutput>): Record<string, CommandOutput> {
  const outs: Record<string, CommandOutput> = {}
  for (const name of Object.keys(probe.commands)) {
    const o = outputs.get(`${probe.id}.${name}`)
    if (o) outs[name] = o
  }
  return outs
}
