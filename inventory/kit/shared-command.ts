import type {Platform} from './probe.js'

/**
 * A command whose output several probes read (the process table): declared once in the kit, listed by each probe that
 * needs it (`shared` in its spec, under the name its interpreter reads it by), run once per host by the runner, which
 * hands the same output to every one of them. A runner runs the shared commands of the probes it runs, and only those:
 * a selection without any probe that lists one does not send it.
 */
export interface SharedCommand {
  /** Unique among shared commands: letters and digits. */
  readonly id: string
  /** A POSIX shell command, run as a probe's are (LC_ALL=C, as `sh -c` would, stdin closed, its own timeout). */
  readonly command: string
  readonly platforms: readonly Platform[]
  /** Per-command timeout; default: the runner's. */
  readonly timeoutMs?: number
}

export function defineSharedCommand(spec: SharedCommand): SharedCommand {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(spec.id)) throw new Error(`shared command id ${JSON.stringify(spec.id)}: letters and digits only`)
  return spec
}

/** The shared commands some of these probes read, each once, in the order they are first listed. */
export function sharedCommandsOf(probes: readonly {readonly shared?: Readonly<Record<string, SharedCommand>>}[]): SharedCommand[] {
  const byId = new Map<string, SharedCommand>()
  for (const p of probes) {
    for (const s of Object.values(p.shared ?? {})) {
      const known = byId.get(s.id)
      if (known && known.command !== s.command) throw new Error(`two shared commands are named ${s.id}`)
      byId.set(s.id, known ?? s)
    }
  }
  return [...byId.values()]
}
