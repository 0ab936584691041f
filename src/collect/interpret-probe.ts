import {problemsOf, sectionKey} from '../model/validate.js'
import type {SectionStatus} from '../model/section.js'
import {ParseError} from '../../inventory/kit/parse-error.js'
import type {AnyProbe, CommandOutput, ProbeContext, ProbeResult} from '../../inventory/kit/probe.js'

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
  const outs: Record<string, CommandOutput> = {}
  let durationMs = 0
  let ranAny = false
  let timedOut = false
  for (const name of Object.keys(probe.commands)) {
    const o = outputs.get(`${probe.id}.${name}`)
    if (!o) continue
    outs[name] = o
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
  return {...normalise(probe, result), durationMs}
}

export function normalise(probe: AnyProbe, result: ProbeResult<unknown>): ProbeResult<unknown> {
  const {status, reason, data} = result
  if ((status === 'ok' || status === 'partial') && data === undefined) {
    return {status: 'error', reason: `internal error in probe ${probe.id}: ${status} without data`}
  }
  if (data !== undefined) {
    const problems = problemsOf(probe.schema, data, sectionKey(probe.id))
    if (problems.length > 0) return {status: 'error', reason: `internal error in probe ${probe.id}: data does not match its schema: ${problems[0]}`}
  }
  if (status !== 'ok' && !reason) return {status, reason: 'no reason given', ...(data === undefined ? {} : {data})}
  return {status, ...(reason ? {reason} : {}), ...(data === undefined ? {} : {data})}
}
