/**
 * The target's work for one full inventory, measured on this machine: each probe command run as a batch runs it
 * (in a forked subshell of the shell the batch's launcher chooses, under bash set to act as `sh -c`; LC_ALL=C,
 * stdin from /dev/null), several times, its CPU
 * (user + sys of the command and everything it started) read from the shell's `times`; a grouped probe's commands as
 * the one command of parts a batch sends for them. Says which probes dominate a target's cost.
 */
import {spawnSync} from 'node:child_process'

import {probes} from '../inventory/index.js'
import {sharedCommandsOf} from '../inventory/kit/shared-command.js'
import {AS_SH, BATCH_LAUNCHER} from '../src/collect/posix-sh/batch.js'
import {shQuote} from '../src/model/shell-quote.js'
import {probeBatchCommands} from '../src/collect/posix-sh/probe-batch.js'

export interface CommandCost {
  key: string
  /** The section the command fills (the probe's id). */
  section: string
  cpuMs: number
}

/** The section a shared command is counted under: it runs once a host, for every probe that reads it. */
export const SHARED = 'shared'

/** CPU per run of every Linux probe command, and of every shared command once (section `shared`), most costly first. */
export function targetWork(runs = 5): CommandCost[] {
  const costs: CommandCost[] = []
  const linux = probes.filter((p) => p.platforms.includes('Linux'))
  const commands = [
    // as a batch sends them: a grouped probe's commands as one command of parts, named by theirs
    ...linux.flatMap((p) =>
      probeBatchCommands(p, 10_000).map((c) => ({section: p.id as string, name: c.parts ? Object.keys(p.commands).join('+') : c.key.slice(p.id.length + 1), command: c.command})),
    ),
    ...sharedCommandsOf(linux).map((s) => ({section: SHARED, name: s.id, command: s.command})),
  ]
  for (const {section, name, command} of commands) {
    // run by the shell a batch runs under here: the batch's own launcher chooses it (dash where there is dash)
    const loop = `_c=${shQuote(command)}\nfor i in $(seq ${runs}); do ( if [ -n "\${BASH_VERSION:-}" ]; then ${AS_SH}; fi; eval "unset _c; $_c" ) </dev/null >/dev/null 2>&1; done; times\n`
    const r = spawnSync('/bin/sh', ['-c', BATCH_LAUNCHER], {
      input: loop,
      encoding: 'utf8',
      env: {...process.env, LC_ALL: 'C', LANG: 'C'},
    })
    // `times` prints the shell's own times, then its children's: "0m0.123s 0m0.045s"
    const children = r.stdout.trim().split('\n').pop() ?? ''
    const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0)
    costs.push({key: `${section}.${name}`, section, cpuMs: (seconds * 1000) / runs})
  }
  return costs.sort((a, b) => b.cpuMs - a.cpuMs)
}

/** One line for the results: the total and the heaviest commands. */
export function describeTargetWork(costs: readonly CommandCost[], top = 5): string {
  const total = costs.reduce((sum, c) => sum + c.cpuMs, 0)
  const heaviest = costs
    .slice(0, top)
    .map((c) => `${c.key} ${c.cpuMs.toFixed(0)} ms`)
    .join(', ')
  return `${total.toFixed(0)} ms of CPU for the ${costs.length} probe commands of one full inventory, run one by one on this machine (heaviest: ${heaviest})`
}

/**
 * The per-command cost table: one row a section (its commands and their CPU, most costly first), the total, and
 * when `focus` names sections, their sum on its own line (what a set of sections adds to a target).
 */
export function targetWorkTable(costs: readonly CommandCost[], focus: readonly string[] = []): string {
  const bySection = new Map<string, CommandCost[]>()
  for (const c of costs) bySection.set(c.section, [...(bySection.get(c.section) ?? []), c])
  const sum = (cs: readonly CommandCost[]) => cs.reduce((s, c) => s + c.cpuMs, 0)
  const rows = [...bySection.entries()].sort(([, a], [, b]) => sum(b) - sum(a))
  const lines = ['| section | target CPU (ms) | commands (ms each) |', '|---|---:|---|']
  for (const [section, cs] of rows) lines.push(`| ${focus.includes(section) ? `**${section}**` : section} | ${sum(cs).toFixed(1)} | ${cs.map((c) => `${c.key.slice(section.length + 1)} ${c.cpuMs.toFixed(1)}`).join(', ')} |`)
  const sections = [...bySection.keys()].filter((s) => s !== SHARED).length
  lines.push(`| all ${sections} sections${bySection.has(SHARED) ? ' and their shared commands' : ''} | ${sum(costs).toFixed(1)} | ${costs.length} commands |`)
  const focused = costs.filter((c) => focus.includes(c.section))
  if (focus.length) lines.push(`| ${focus.join(' + ')} | ${sum(focused).toFixed(1)} | ${focused.length} commands |`)
  return lines.join('\n')
}
