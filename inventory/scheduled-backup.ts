import {BACKUP_TOOLS, type ScheduledData, type ScheduledJob} from '../src/model/sections/scheduled.js'

type Recognised = NonNullable<ScheduledData['backup']>[number]

const byCommand = new Map<string, string>(BACKUP_TOOLS.flatMap(({tool, commands = []}) => commands.map((c) => [c, tool] as const)))
const RSYNC = byCommand.get('rsync')

/** rsync to another machine: a `host:path` or `rsync://` operand (a local copy is no backup of the machine). */
const REMOTE_TARGET = /(^|\s)(rsync:\/\/\S+|[A-Za-z0-9_.@-]+:[^\s]*)(\s|$)/

/** The backup tool a command names (any of its words, as a program name), or undefined. */
export function backupToolOf(command: string): string | undefined {
  for (const word of command.split(/[\s;&|()"'`]+/)) {
    const name = word.slice(word.lastIndexOf('/') + 1)
    const tool = byCommand.get(name)
    if (tool === undefined) continue
    if (tool === RSYNC && !REMOTE_TARGET.test(command.replace(/\s-{1,2}[A-Za-z-]+=\S+/g, ' '))) continue
    return tool
  }
  return undefined
}

/**
 * What was recognised as backup: jobs that can run (a crontab's with a cron daemon installed, an enabled timer's, a
 * run-parts script's with cron) whose command names a tool — a run-parts script by its name — and agents installed.
 */
export function recogniseBackup(jobs: readonly ScheduledJob[], cronInstalled: boolean, agents: readonly {tool: string; where: string}[]): Recognised[] {
  const found: Recognised[] = []
  for (const job of jobs) {
    const runs = job.kind === 'timer' ? job.enabled === true : cronInstalled
    if (!runs) continue
    const tool = backupToolOf(job.command)
    if (tool) found.push({tool, via: 'job', where: job.id})
  }
  for (const a of agents) found.push({tool: a.tool, via: 'agent', where: a.where})
  return found
}
