import type {AnySectionSpec} from '../../src/model/section-spec.js'
import {POSIX_SH} from '../../src/transport/transport.js'
import type {CommandOutput} from './command-output.js'
import {partsCommand} from './command-parts.js'
import type {ContentKind, WantedContent} from './content.js'
import type {DataOf, Implementation, ProbeResult} from './implementation.js'
import type {SharedCommand} from './shared-command.js'

/** Platforms as `uname -s` names them; a probe runs only where its platform matches. */
export type Platform = 'Linux' | 'Darwin' | 'FreeBSD' | 'OpenBSD' | 'NetBSD' | 'SunOS'

// its own module, so that the parts kit (which probe.ts uses) needs nothing of this one
export type {CommandOutput} from './command-output.js'

export interface ProbeContext {
  /** Effective uid of the shell that ran the commands, when known. */
  uid: number | null
  /** True when the commands ran as root (directly or through sudo). */
  privileged: boolean
  /** `uname -s` of the target. */
  os: string
  /** The contents the probe asked for (`contents.wanted`), loaded, by SHA-256; those that could not be had are in contentProblems. */
  contents?: ReadonlyMap<string, unknown>
  contentProblems?: ReadonlyMap<string, string>
}

/**
 * What a posix-sh implementation declares: the section it fills, shell commands it sends through a transport
 * (batched with the others), and an interpreter that turns what they printed into data with pure parsers. It never
 * runs processes itself.
 */
export interface ProbeSpec<S extends AnySectionSpec = AnySectionSpec> {
  readonly section: S
  readonly platforms: readonly Platform[]
  /**
   * Named POSIX shell commands. They run with LC_ALL=C as `sh -c` would run them (under bash: a subshell in POSIX
   * mode with XSI echo, src/collect/posix-sh/batch.ts), stdin closed, each under its own timeout. Exit 127
   * conventionally means "not installed" (see `needs()` in probe-helpers).
   */
  readonly commands: Readonly<Record<string, string>>
  /**
   * Shared commands (shared-command.ts) whose output the interpreter reads too, by the name given here (never one of
   * `commands`' names): run once per host for all the probes that list them, not once each.
   */
  readonly shared?: Readonly<Record<string, SharedCommand>>
  /**
   * The commands run as the parts of ONE command (command-parts.ts): one subshell for the probe, not one a command.
   * On a host where a process is dear that is the larger part of a small command's cost (a subshell of the batch
   * shell: ~150 page faults, ~5 ms of CPU on a virtual machine whose page faults cost ~30 µs). Each command is then a
   * shell function's body: it ends with `return N`, never `exit` or `exec` (the helpers' `end: 'return'`), and
   * shares that shell's variables with the commands before it, so it sets every variable it reads. Each keeps its
   * own output, exit status and timeout; one cut at its timeout takes the ones after it with it (they did not run).
   * No follow-up commands.
   */
  readonly grouped?: boolean
  /** Per-command timeout; default 10 s. */
  readonly timeoutMs?: number
  /**
   * Relative cost, used to spread probes across parallel batches (local collection runs three); default 1. A unit is
   * ~20 ms of a probe's wall time in a local collection as root (the median of three, under dash, on the reference
   * machine): updates ~270 ms, sshd ~210, virtualization and packages ~90, network and access ~60.
   */
  readonly weight?: number
  /**
   * Files the probe needs by content after its commands ran (see content.ts): which ones, from the outputs (must not
   * throw), and what to keep of them. The interpreter finds them in `context.contents`.
   */
  readonly contents?: {
    readonly kind: ContentKind<unknown>
    wanted(outputs: Readonly<Record<string, CommandOutput>>): WantedContent[]
  }
  /**
   * Commands to run when the first answer (and the contents) say that more is needed: a second round trip, for the
   * rare host that needs it. By name: each one's output replaces that of the command of the same name. Must not throw.
   */
  followUp?(outputs: Readonly<Record<string, CommandOutput>>, context: ProbeContext): Readonly<Record<string, string>> | undefined
  /** Turns the outputs into the section. Must not throw anything but ParseError. */
  interpret(outputs: Readonly<Record<string, CommandOutput>>, context: ProbeContext): ProbeResult<DataOf<S>>
}

/** A posix-sh implementation of a section: a probe. */
export interface Probe<S extends AnySectionSpec = AnySectionSpec> extends ProbeSpec<S>, Implementation<S, typeof POSIX_SH> {}

export type AnyProbe = Probe<AnySectionSpec>

export function defineProbe<S extends AnySectionSpec>(spec: ProbeSpec<S>): Probe<S> {
  if (spec.grouped) {
    if (spec.followUp) throw new Error(`probe ${spec.section.id}: a grouped probe has no follow-up commands (they would run alone, where return ends nothing)`)
    // throws when a command is not a function's body (an exit or exec outside quotes) or its name is not a word
    partsCommand(spec.commands)
  }
  for (const [name, shared] of Object.entries(spec.shared ?? {})) {
    if (name in spec.commands) throw new Error(`probe ${spec.section.id}: ${JSON.stringify(name)} names both a command and a shared command`)
    // the runner sends a shared command where its probes run: it must run wherever they do
    const missing = spec.platforms.filter((p) => !shared.platforms.includes(p))
    if (missing.length) throw new Error(`probe ${spec.section.id}: shared command ${shared.id} does not run on ${missing.join(', ')}`)
  }
  return {...spec, dialect: POSIX_SH, id: spec.section.id, title: spec.section.title, schema: spec.section.schema}
}

/** Every command a probe's interpreter reads the output of, by the name it reads it under: its own, then the shared ones. */
export function probeCommands(probe: ProbeSpec): Record<string, string> {
  return {...probe.commands, ...Object.fromEntries(Object.entries(probe.shared ?? {}).map(([name, s]) => [name, s.command]))}
}
