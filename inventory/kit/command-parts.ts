import type {CommandOutput} from './command-output.js'

/**
 * Several commands of one probe sent as ONE command, so a target starts one shell for them instead of one each: on
 * the reference host a process costs ~5 ms of CPU and even a subshell's fork ~3 ms (bench/target-work.ts). Each part is
 * a shell function of that one shell, called in turn: it ends with `return N` (never `exit`, which would end the
 * others, nor `exec`), its failures stay its own (no `set -e`), and the parts after it still run. Around each part the
 * command prints `@@part NAME` on stdout and on stderr, then `@@status NAME RC` on stdout; splitParts turns the
 * output back into one CommandOutput per part, as if each had been sent alone.
 */
export function partsCommand(parts: Readonly<Record<string, string>>, around: PartsAround = {}): string {
  return [
    ...(around.start ? [around.start] : []),
    ...Object.entries(parts).flatMap(([name, command]) => {
      if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new Error(`part name ${JSON.stringify(name)}: letters and digits only`)
      // outside single-quoted text (awk programs have their own exit)
      if (/\b(exit|exec)\b/.test(command.replace(/'[^']*'/g, "''"))) throw new Error(`part ${name}: ends with return, never exit or exec (they would end every part)`)
      return [
        `_part_${name}() {`,
        command,
        '}',
        `echo '@@part ${name}'; printf '\\n@@part ${name}\\n' >&2`,
        ...(around.before ? [around.before] : []),
        `_part_${name}${around.call ?? ''}`,
        `printf '\\n@@status ${name} %s\\n' "$?"`,
      ]
    }),
    'exit 0',
  ].join('\n')
}

/** Shell text a runner puts around the parts (none by default): first, before each part, and after each call (a redirection). */
export interface PartsAround {
  start?: string
  before?: string
  call?: string
}

/**
 * The output of each part of a partsCommand: its own stdout and stderr, its exit status; `ran: false` for a part the
 * command never reached, `exitCode: null` (and `timedOut` when the whole command timed out) for one it did not finish.
 */
export function splitParts<N extends string>(out: CommandOutput | undefined, names: readonly N[]): Record<N, CommandOutput | undefined> {
  const parts = {} as Record<N, CommandOutput | undefined>
  let at = 0
  let errAt = 0
  for (const name of names) {
    if (!out?.ran) {
      parts[name] = out && {...out, stdout: '', stderr: ''}
      continue
    }
    const start = `@@part ${name}\n`
    const begin = out.stdout.startsWith(start, at) ? at : out.stdout.indexOf(`\n${start}`, at) + 1
    if (begin <= 0 && !out.stdout.startsWith(start, at)) {
      parts[name] = {stdout: '', stderr: '', exitCode: null, timedOut: out.timedOut, durationMs: out.durationMs, ran: false}
      continue
    }
    const body = begin + start.length
    const status = new RegExp(`\\n@@status ${name} (\\d+)\\n`, 'g')
    status.lastIndex = body - 1
    const m = status.exec(out.stdout)
    const errStart = out.stderr.indexOf(`\n@@part ${name}\n`, errAt)
    const errBody = errStart < 0 ? out.stderr.length : errStart + `\n@@part ${name}\n`.length
    const errEnd = out.stderr.indexOf('\n@@part ', errBody)
    const finished = m !== null
    parts[name] = {
      stdout: out.stdout.slice(body, finished ? m.index : undefined),
      stderr: out.stderr.slice(errBody, errEnd < 0 ? undefined : errEnd),
      exitCode: finished ? Number(m[1]) : null,
      timedOut: !finished && out.timedOut,
      durationMs: out.durationMs,
      ran: true,
    }
    at = finished ? m.index + m[0].length : out.stdout.length
    errAt = errEnd < 0 ? out.stderr.length : errEnd
  }
  return parts
}
