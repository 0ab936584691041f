import {ParseError} from './kit/parse-error.js'
import {lines} from './kit/probe-helpers.js'

/** A file the jobs command printed: its numbered lines (all of a crontab; the keys it reads of a unit). */
export interface ListedFile {
  path: string
  lines: {n: number; text: string}[]
}

/** What a path is on the host, as `stat -L` reports it. */
export interface PathStat {
  mode: number
  owner: string
  type: string
}

/** The jobs command's output, sorted by marker (see JOBS_COMMAND). */
export interface JobsOutput {
  cron?: string
  runParts: string[]
  crontabs: ListedFile[]
  units: ListedFile[]
  wants: Set<string>
  masked: Set<string>
  denied: string[]
  systemd: boolean
  /** `systemctl show` per timer: its properties. */
  shown: Map<string, Map<string, string>>
  which: Map<string, string>
  stats: Map<string, PathStat>
  /** The at program, when installed. */
  at?: string
  /** Backup agents found: a unit file, init script or install folder of BACKUP_TOOLS. */
  agents: {tool: string; where: string}[]
}

/** Parses JOBS_COMMAND's output. Throws ParseError on a line that is none of its forms. */
export function parseJobsOutput(text: string): JobsOutput {
  const out: JobsOutput = {runParts: [], crontabs: [], units: [], wants: new Set(), masked: new Set(), denied: [], systemd: false, shown: new Map(), which: new Map(), stats: new Map(), agents: []}
  let file: ListedFile | undefined
  let show: Map<string, string> | undefined
  let n = 0
  for (const raw of lines(text)) {
    n++
    const numbered = /^(\d+):(.*)$/.exec(raw)
    if (numbered && file) {
      file.lines.push({n: Number(numbered[1]), text: numbered[2]!})
      continue
    }
    const m = /^!(cron|at|agent|word|run|file|unit|wants|masked|denied|systemd|which|stat)(?: (.*))?$/.exec(raw)
    if (m) {
      file = undefined
      show = undefined
      const arg = m[2] ?? ''
      switch (m[1]) {
        case 'cron':
          out.cron = arg
          break
        case 'at':
          out.at = arg
          break
        case 'agent': {
          const a = /^([^|]+)\|(\/.*)$/.exec(arg)
          if (a) out.agents.push({tool: a[1]!, where: a[2]!})
          break
        }
        case 'word': // what the shell resolved and stat'ed next
          break
        case 'run':
          out.runParts.push(arg)
          break
        case 'file':
        case 'unit':
          file = {path: arg, lines: []}
          ;(m[1] === 'file' ? out.crontabs : out.units).push(file)
          break
        case 'wants':
          out.wants.add(arg)
          break
        case 'masked':
          out.masked.add(arg)
          break
        case 'denied':
          out.denied.push(arg)
          break
        case 'systemd':
          out.systemd = true
          break
        case 'which': {
          const w = /^(\S+) (\S.*)$/.exec(arg)
          if (w) out.which.set(w[1]!, w[2]!)
          break
        }
        case 'stat': {
          const s = /^([0-7]{3,4}) (\S+) (.+?) (\/.*)$/.exec(arg)
          if (!s) throw new ParseError(`not a stat line: ${JSON.stringify(raw.slice(0, 60))}`, n)
          out.stats.set(s[4]!, {mode: Number.parseInt(s[1]!, 8), owner: s[2]!, type: s[3]!})
          break
        }
      }
      continue
    }
    if (raw === '') {
      show = undefined
      continue
    }
    // systemctl show: Key=value lines, one block per unit, blocks apart by an empty line
    const kv = out.systemd && !file ? /^([A-Za-z]+)=(.*)$/.exec(raw) : null
    if (kv) {
      if (!show) show = new Map()
      show.set(kv[1]!, kv[2]!)
      if (kv[1] === 'Id') out.shown.set(kv[2]!, show)
      continue
    }
    throw new ParseError(`not a marker or a numbered line: ${JSON.stringify(raw.slice(0, 60))}`, n)
  }
  return out
}

/** The at queue as the stat lines show it: the owners of the regular files in its folders. */
export function atOwners(out: Pick<JobsOutput, 'stats'>, dirs: readonly string[]): string[] {
  return [...out.stats.entries()].filter(([path, s]) => dirs.some((d) => path.startsWith(`${d}/`)) && s.type.startsWith('regular')).map(([, s]) => s.owner)
}
