import type {CommandOutput} from '../../inventory/kit/probe.js'

/**
 * One output of a command sent as parts (inventory/kit/command-parts.ts), as the target prints it, from the outputs of
 * its parts: for tests that give a probe published captures (or a changed part) in the shape of its one command.
 */
export function joinParts(parts: Readonly<Record<string, CommandOutput>>): CommandOutput {
  const entries = Object.entries(parts)
  return {
    stdout: entries.map(([name, o]) => `@@part ${name}\n${o.stdout}\n@@status ${name} ${o.exitCode}\n`).join(''),
    stderr: entries.map(([name, o]) => `\n@@part ${name}\n${o.stderr}`).join(''),
    exitCode: 0,
    timedOut: false,
    durationMs: Math.max(0, ...entries.map(([, o]) => o.durationMs)),
    ran: true,
  }
}

/**
 * A part of a grouped probe (ProbeSpec.grouped) alone, as the probe's shell runs it: the body of a function, called
 * (a part ends with `return`), its status the function's.
 */
export const alonePart = (command: string): string => `_part() {\n${command}\n}\n_part`
