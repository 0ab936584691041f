import type {CommandOutput} from './probe.js'
import {ParseError} from './parse-error.js'
import {lines, toInt} from './probe-helpers.js'
import {defineSharedCommand} from './shared-command.js'

/**
 * The host's process table, read once for every probe that looks for processes (services, time sync, audit,
 * malware): one `cat` of every /proc/PID/stat, a few hundred lines, instead of a `pidof` or a shell loop over /proc
 * each. Exits 3 where /proc is not mounted.
 */
export const processTable = defineSharedCommand({
  id: 'processTable',
  platforms: ['Linux'],
  command: '[ -r /proc/self/stat ] || exit 3; cat /proc/[0-9]*/stat 2>/dev/null; exit 0',
})

export interface ProcessInfo {
  pid: number
  /** The kernel's name of the process: its executable's base name cut at 15 characters, unless it renamed itself. */
  comm: string
  /** `R`, `S`, `D`, `Z` (exited, not yet reaped), … */
  state: string
  kernelThread: boolean
}

/** Parses concatenated /proc/PID/stat lines: `PID (COMM) STATE PPID PGRP SESSION TTY TPGID FLAGS …`. */
export function parseProcessTable(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const open = line.indexOf(' (')
    // the name may hold ") ": the last one ends it
    const close = line.lastIndexOf(') ')
    const pid = toInt(line.slice(0, open))
    if (open < 0 || close < open || pid === undefined || pid < 0) throw new ParseError('expected "PID (COMM) STATE …"', i + 1)
    const fields = line.slice(close + 2).split(' ')
    const flags = toInt(fields[6])
    if (flags === undefined) throw new ParseError('expected the flags field of /proc/PID/stat', i + 1)
    // PF_KTHREAD
    out.push({pid, comm: line.slice(open + 2, close), state: fields[0]!, kernelThread: (flags & 0x00200000) !== 0})
  }
  return out
}

const parsed = new WeakMap<CommandOutput, readonly ProcessInfo[]>()

/**
 * The processes of the table's output, parsed once however many probes read it (the runner hands every one the same
 * output). Throws ParseError as parseProcessTable does.
 */
export function processesOf(out: CommandOutput): readonly ProcessInfo[] {
  let table = parsed.get(out)
  if (!table) {
    table = Object.freeze(parseProcessTable(out.stdout).map((p) => Object.freeze(p)))
    parsed.set(out, table)
  }
  return table
}

/** The kernel's name of a program: its base name, cut at 15 characters (`systemd-timesyncd` runs as `systemd-timesyn`). */
export function commOf(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1).slice(0, 15)
}

/**
 * The pids of a program's live processes, in ascending order, as `pidof` finds a daemon: by the kernel's name of the
 * process, kernel threads and exited processes (zombies) left out.
 */
export function pidsOf(processes: readonly ProcessInfo[], program: string): number[] {
  const comm = commOf(program)
  return processes
    .filter((p) => p.comm === comm && !p.kernelThread && p.state !== 'Z')
    .map((p) => p.pid)
    .sort((a, b) => a - b)
}
