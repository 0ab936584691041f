import {partsCommand, splitParts} from '../../../inventory/kit/command-parts.js'
import type {AnyProbe, CommandOutput} from '../../../inventory/kit/probe.js'
import {PART_WATCH, type BatchCommand, type BatchResult} from './batch.js'

/** The batch key of a grouped probe's one command (a command's own name never starts with `_`, see partsCommand). */
export const groupKey = (probe: AnyProbe): string => `${probe.id}._parts`

/**
 * A probe's own commands as a batch sends them: one each, or, for a grouped probe (ProbeSpec.grouped), one command
 * of parts, each part timed as its own command.
 */
export function probeBatchCommands(probe: AnyProbe, commandTimeoutMs: number): BatchCommand[] {
  const timeoutMs = probe.timeoutMs ?? commandTimeoutMs
  const entries = Object.entries(probe.commands)
  if (probe.grouped && entries.length > 0) {
    return [{key: groupKey(probe), command: partsCommand(probe.commands, PART_WATCH), timeoutMs, platforms: probe.platforms, parts: entries.length}]
  }
  return entries.map(([name, command]) => ({key: `${probe.id}.${name}`, command, timeoutMs, platforms: probe.platforms}))
}

/**
 * Splits each grouped probe's command of parts back into its commands' outputs, under their own keys, as if each had
 * run alone (in place: the outputs and the skipped keys of the batch). The parts are timed together: the first that
 * ran carries the group's duration, the others none, so that a section's duration (their sum) is the group's. A part
 * cut at its timeout takes the parts after it with it: they did not run.
 */
export function expandGroups(probes: readonly AnyProbe[], batch: Pick<BatchResult, 'outputs' | 'skipped'>): void {
  for (const probe of probes) {
    if (!probe.grouped) continue
    const key = groupKey(probe)
    const names = Object.keys(probe.commands)
    if (batch.skipped.delete(key)) for (const name of names) batch.skipped.add(`${probe.id}.${name}`)
    const out = batch.outputs.get(key)
    if (out === undefined) continue
    const parts = splitParts(out, names)
    let timed = false
    for (const name of names) {
      const part: CommandOutput | undefined = parts[name]
      if (!part) continue
      batch.outputs.set(`${probe.id}.${name}`, part.ran && !timed ? part : {...part, durationMs: 0})
      timed ||= part.ran
    }
    batch.outputs.delete(key)
  }
}
