import type {ProbeResult} from '../../../inventory/kit/implementation.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {AnyProbe, CommandOutput, ProbeContext} from '../../../inventory/kit/probe.js'
import type {SharedCommand} from '../../../inventory/kit/shared-command.js'
import type {SectionStatus} from '../../model/section.js'
import {normalise} from '../normalise-section.js'

/** The batch key of a shared command: one output, whichever probes read it. */
export const sharedKey = (shared: SharedCommand): string => `shared.${shared.id}`

/** The batch key of the output a probe reads under `name`: its own command's, or the shared command's. */
export function keyOf(probe: AnyProbe, name: string): string {
  const shared = probe.shared?.[name]
  return shared ? sharedKey(shared) : `${probe.id}.${name}`
}

/** A probe's outputs by the names its interpreter reads them under (its commands', then its shared commands'), from outputs by batch key. */
export function outputsOf(probe: AnyProbe, outputs: ReadonlyMap<string, CommandOutput>): Record<string, CommandOutput> {
  const outs: Record<string, CommandOutput> = {}
  for (const name of [...Object.keys(probe.commands), ...Object.keys(probe.shared ?? {})]) {
    const o = outputs.get(keyOf(probe, name))
    if (o) outs[name] = o
  }
  return outs
}

/**
 * Runs a probe's interpreter on its outputs and makes sure the result is a valid section, whatever
 * the host printed: a parse error or a bug becomes an `error` section, never a crash. The section's duration, and
 * whether it ran at all, are its own commands' (a shared command is no one section's).
 */
export function interpretProbe(
  probe: AnyProbe,
  outputs: ReadonlyMap<string, CommandOutput>,
  context: ProbeContext,
  batchFailure?: string,
): ProbeResult<unknown> & {durationMs: number} {
  const outs = outputsOf(probe, outputs)
  const own = Object.keys(probe.commands).length > 0 ? Object.keys(probe.commands) : Object.keys(outs)
  let durationMs = 0
  let ranAny = false
  let timedOut = false
  for (const name of own) {
    const o = outs[name]
    if (!o) continue
    if (name in probe.commands) durationMs += o.durationMs
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
