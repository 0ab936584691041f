import {readFile, rm} from 'node:fs/promises'
import path from 'node:path'

import {fsProblem} from '../cli/fs-problem.js'
import {OutputError} from '../cli/output-error.js'
import {fixTaskFile} from '../engine/fixes/fix-plan.js'
import {writeFileAtomic} from '../files/write-atomic.js'
import {renderFixInventory, renderFixPlaybook, renderFixTasks} from '../report/fix-ansible.js'
import {renderFixScript} from '../report/fix-sh.js'
import type {FixPlanOutcome} from './fix-plan-run.js'

export type FixFormat = 'ansible' | 'sh'
export const FIX_FORMATS: readonly FixFormat[] = ['ansible', 'sh']

/** The plan as `--json` and plan.json give it: per host what is fixed and what is not, and why. */
export function planJson(outcome: FixPlanOutcome, generatedAt: string) {
  const {plan} = outcome
  return {
    source: outcome.source,
    ...(outcome.hostsFile ? {hostsFile: outcome.hostsFile} : {}),
    generatedAt,
    checks: plan.order.map((o) => ({pack: o.pack, check: o.check, severity: o.severity, risk: o.risk, file: fixTaskFile(o.check), hosts: plan.hosts.filter((h) => h.fixes.some((f) => f.check === o.check)).map((h) => h.host)})),
    hosts: plan.hosts,
    waived: plan.waived,
    unknown: plan.unknown,
    notCollected: plan.notCollected,
    unplaced: outcome.unplaced,
    counts: {
      automatic: plan.hosts.reduce((n, h) => n + h.fixes.length, 0),
      manual: plan.hosts.reduce((n, h) => n + h.manual.length, 0),
      waived: plan.waived.length,
    },
  }
}
export type PlanJson = ReturnType<typeof planJson>

/** A host name as a file name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
export const scriptName = (host: string) => `sh/${host.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')}.sh`

/** Every file of the plan, rendered before the first is written. */
function renderPlan(outcome: FixPlanOutcome, format: FixFormat, generatedAt: string): {name: string; content: string; mode: number}[] {
  const {plan} = outcome
  const header = {source: outcome.source, generatedAt}
  const files: {name: string; content: string; mode: number}[] = []
  if (format === 'ansible') {
    files.push({name: 'site.yml', content: renderFixPlaybook(plan, header), mode: 0o644})
    files.push({name: 'inventory.yml', content: renderFixInventory(plan, outcome.connections), mode: 0o644})
    for (const o of plan.order) files.push({name: fixTaskFile(o.check), content: renderFixTasks(o), mode: 0o644})
  } else for (const h of plan.hosts.filter((x) => x.fixes.length > 0)) files.push({name: scriptName(h.host), content: renderFixScript(plan, h, header), mode: 0o755})
  const json = {...planJson(outcome, generatedAt), format, files: [...files.map((f) => f.name), 'plan.json']}
  files.push({name: 'plan.json', content: JSON.stringify(json, null, 2) + '\n', mode: 0o644})
  return files
}

/** The files a plan written earlier into `dir` listed (so a host fixed since leaves no script behind). */
async function previousFiles(dir: string): Promise<string[]> {
  try {
    const json = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as {files?: unknown}
    return Array.isArray(json.files) ? json.files.filter((f): f is string => typeof f === 'string' && !f.includes('..') && !path.isAbsolute(f)) : []
  } catch {
    return []
  }
}

/**
 * Writes the plan into `dir`: the playbook, its inventory and a task file per check (ansible), or a script per host
 * (sh), and plan.json; each file atomically. Files of an earlier plan in `dir` that this one has not are removed.
 * A folder that cannot be written is an output error (exit 5).
 */
export async function writeFixPlan(outcome: FixPlanOutcome, format: FixFormat, dir: string, generatedAt = new Date().toISOString()): Promise<string[]> {
  const files = renderPlan(outcome, format, generatedAt)
  try {
    const old = await previousFiles(dir)
    for (const f of files) await writeFileAtomic(path.join(dir, f.name), f.content, f.mode)
    const kept = new Set(files.map((f) => f.name))
    for (const f of old) if (!kept.has(f)) await rm(path.join(dir, f), {force: true})
    return files.map((f) => path.join(dir, f.name))
  } catch (error) {
    if (!(error as NodeJS.ErrnoException).code) throw error
    throw new OutputError(`cannot write into ${dir}: ${fsProblem(error, path.join(dir, 'x'))}`, 'choose another folder with -o')
  }
}
