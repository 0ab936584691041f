import {COMMAND_MAX, type ScheduledJob} from '../src/model/sections/scheduled.js'
import {isoFromEpochSeconds} from './kit/probe-helpers.js'
import {maskSecretArguments} from './kit/secret-arguments.js'
import {RUN_PARTS_DIRS, SYSTEM_CRONTABS} from './scheduled-commands.js'
import type {JobsOutput, ListedFile, PathStat} from './scheduled-output.js'

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1)
const dirname = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/'

const bounded = (command: string) => {
  const masked = maskSecretArguments(command.trim())
  return masked.length > COMMAND_MAX ? `${masked.slice(0, COMMAND_MAX - 1)}…` : masked
}

/** Programs that run another one: the job's program is the one they run. The number is how many operands they take first. */
const WRAPPERS: Record<string, number> = {nice: 0, ionice: 0, nohup: 0, env: 0, exec: 0, chronic: 0, 'run-one': 0, setsid: 0, timeout: 1, flock: 1}
const SHELLS = new Set(['sh', 'bash', 'dash', 'ksh', 'zsh'])
/** Words of the shell's own (builtins, keywords): a job that starts with one is a shell snippet, run by /bin/sh. */
const SHELL_WORDS = new Set(['test', '[', '[[', 'cd', 'if', 'for', 'while', 'case', '{', '(', '!', 'true', 'false', ':', '.', 'source', 'export', 'set', 'umask', 'ulimit', 'sleep', 'echo', 'printf'])

const unquote = (w: string) => w.replace(/^["'(]+|["');]+$/g, '')

/** The program a command runs: its first word past variable assignments, wrappers and shells (`sh -c "X"` → X). */
export function executableOf(command: string): string | undefined {
  const words = command.trim().split(/\s+/).map(unquote).filter((w) => w !== '')
  let i = 0
  let skip = 0
  while (i < words.length) {
    const w = words[i]!
    const name = basename(w)
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || (w.startsWith('-') && i > 0)) {
      i++
      continue
    }
    if (skip > 0 || /^\d+[smhd]?$/.test(w)) {
      if (skip > 0) skip--
      i++
      continue
    }
    if (name in WRAPPERS) {
      skip = WRAPPERS[name]!
      i++
      continue
    }
    if (SHELLS.has(name) && i + 1 < words.length) {
      // sh -c "prog …" or sh script: what the shell runs; sh alone reads its stdin
      i++
      continue
    }
    return w
  }
  return undefined
}

/** Where a job's program is and whether anyone may write it or its folder (from the `!which` and `!stat` lines). */
export function examine(executable: string | undefined, out: Pick<JobsOutput, 'which' | 'stats'>): Pick<ScheduledJob, 'executablePath' | 'owner' | 'worldWritable' | 'writablePath'> {
  if (executable === undefined) return {}
  let path: string | undefined = executable.startsWith('/') ? executable : out.which.get(executable)
  if (SHELL_WORDS.has(executable) || (path !== undefined && !path.startsWith('/'))) path = '/bin/sh'
  if (path === undefined) return {}
  const file: PathStat | undefined = out.stats.get(path)
  const folder: PathStat | undefined = out.stats.get(dirname(path))
  const result: ReturnType<typeof examine> = {executablePath: path}
  if (file) result.owner = file.owner
  if (!file && !folder) return result
  const writable = [[path, file], [dirname(path), folder]].find(([, s]) => s !== undefined && ((s as PathStat).mode & 0o002) !== 0)
  result.worldWritable = writable !== undefined
  if (writable) result.writablePath = writable[0] as string
  return result
}

const isSystemCrontab = (path: string) => path === SYSTEM_CRONTABS[0] || path.startsWith(`${dirname(SYSTEM_CRONTABS[1]!)}/`)

/** The jobs of one crontab: system ones carry a user field, a user's crontab is named after its owner. */
export function crontabJobs(file: ListedFile, out: Pick<JobsOutput, 'which' | 'stats'>): ScheduledJob[] {
  const system = isSystemCrontab(file.path)
  const jobs: ScheduledJob[] = []
  for (const {n, text} of file.lines) {
    const line = text.trim()
    if (line === '' || line.startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) continue
    const fields = system ? 6 : 5
    const special = /^(@\w+)\s+(.*)$/.exec(line)
    let schedule: string
    let rest: string
    if (special) {
      schedule = special[1]!
      rest = special[2]!
    } else {
      const parts = line.split(/\s+/)
      if (parts.length <= fields) continue
      schedule = parts.slice(0, 5).join(' ')
      rest = line.replace(/^(\S+\s+){5}/, '')
    }
    let user = basename(file.path)
    if (system) {
      const u = /^(\S+)\s+(.*)$/.exec(rest)
      if (!u) continue
      user = u[1]!
      rest = u[2]!
    }
    const executable = executableOf(rest)
    jobs.push({
      id: `${file.path}:${n}`,
      kind: system ? 'crontab' : 'user-crontab',
      file: file.path,
      line: n,
      user,
      schedule,
      command: bounded(rest),
      ...(executable === undefined ? {} : {executable}),
      ...examine(executable, out),
    })
  }
  return jobs
}

/** Scripts run-parts runs from /etc/cron.{hourly…}: executable, with a name run-parts accepts (Debian: letters, digits, _ and -). */
export function runPartsJobs(paths: readonly string[], out: Pick<JobsOutput, 'which' | 'stats'>): ScheduledJob[] {
  return paths
    .filter((p) => /^[A-Za-z0-9_-]+$/.test(basename(p)) && RUN_PARTS_DIRS.includes(dirname(p)))
    .map((p) => ({id: p, kind: 'run-parts' as const, file: p, user: 'root', schedule: basename(dirname(p)).replace('cron.', ''), command: p, executable: p, ...examine(p, out)}))
}

const SCHEDULE_KEYS = ['OnCalendar', 'OnBootSec', 'OnStartupSec', 'OnActiveSec', 'OnUnitActiveSec', 'OnUnitInactiveSec']

/** The keys a unit file sets (the first of each, Exec lines in order), read from its `!unit` block. */
function unitKeys(file: ListedFile): Map<string, string[]> {
  const keys = new Map<string, string[]>()
  for (const {text} of file.lines) {
    const m = /^\s*(\w+)\s*=\s*(.*)$/.exec(text)
    if (!m) continue
    if (m[2]!.trim() === '') keys.delete(m[1]!) // an empty assignment resets the list
    else keys.set(m[1]!, [...(keys.get(m[1]!) ?? []), m[2]!.trim()])
  }
  return keys
}

/** A systemd timestamp as `systemctl show` prints it: `@SECONDS` with --timestamp=unix, else its text; n/a or empty: none. */
function shownTime(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value === 'n/a' || value === '0') return undefined
  const unix = /^@(\d+)$/.exec(value)
  return unix ? isoFromEpochSeconds(Number(unix[1])) : value
}

/**
 * The timers: every timer unit (one per name, the first folder's), and the instances of templates that a *.wants
 * folder enables; each with the service it activates, that service's first ExecStart and User=.
 */
export function timerJobs(out: JobsOutput): ScheduledJob[] {
  const byName = new Map<string, ListedFile>()
  for (const f of out.units) if (!byName.has(basename(f.path))) byName.set(basename(f.path), f)
  const names = new Set([...byName.keys()].filter((n) => n.endsWith('.timer') && !n.endsWith('@.timer')))
  for (const w of out.wants) if (/@.+\.timer$/.test(w)) names.add(w)
  const jobs: ScheduledJob[] = []
  for (const name of [...names].sort()) {
    if (out.masked.has(name)) continue
    const instance = /^(.+)@(.+)\.timer$/.exec(name)
    const timerFile = byName.get(instance ? `${instance[1]}@.timer` : name)
    if (!timerFile) continue
    const subst = (v: string) => (instance ? v.replaceAll('%i', instance[2]!).replaceAll('%I', instance[2]!) : v)
    const timer = unitKeys(timerFile)
    const service = subst(timer.get('Unit')?.[0] ?? name.replace(/\.timer$/, '.service'))
    const serviceInstance = /^(.+)@(.+)\.service$/.exec(service)
    const serviceFile = byName.get(serviceInstance ? `${serviceInstance[1]}@.service` : service)
    const keys = serviceFile ? unitKeys(serviceFile) : new Map<string, string[]>()
    const exec = keys.get('ExecStart')?.[0]
    const command = exec === undefined ? '' : subst(exec.replace(/^[-@:+!]+/, ''))
    const executable = command === '' ? undefined : executableOf(command)
    const schedule = SCHEDULE_KEYS.flatMap((k) => (timer.get(k) ?? []).map((v) => `${k}=${v}`)).join('; ')
    const shown = out.shown.get(name)
    const next = shownTime(shown?.get('NextElapseUSecRealtime'))
    const last = shownTime(shown?.get('LastTriggerUSec'))
    jobs.push({
      id: name,
      kind: 'timer',
      file: timerFile.path,
      user: keys.get('User')?.[0] ?? 'root',
      schedule,
      command: bounded(command),
      ...(executable === undefined ? {} : {executable}),
      ...examine(executable, out),
      enabled: out.wants.has(name) || shown !== undefined,
      ...(next ? {next} : {}),
      ...(last ? {last} : {}),
    })
  }
  return jobs
}

