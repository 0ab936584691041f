import {hostname, userInfo} from 'node:os'
import path from 'node:path'

import {Chalk} from 'chalk'

import type {AuditLog} from '../cli/audit-log.js'
import {ExitCode} from '../cli/exit-codes.js'
import {pushWarning} from '../cli/views/render-push.js'
import {warnDamaged} from '../cli/damage-warnings.js'
import {warnEolReview} from '../cli/eol-review-warnings.js'
import {acquireRunLock} from '../cli/run-lock.js'
import {TOOL_VERSION} from '../model/tool-version.js'
import {renderAuditSummary, type AuditOutcome} from '../report/audit-summary.js'
import {selectionLine} from '../report/selection-line.js'
import {storeProblem} from '../store/store-problem.js'
import {openStore, type RunWriter, type Store} from '../store/store.js'
import {auditOutcome} from './audit-outcome.js'
import {planAudit, type AuditPlan, type AuditRequest} from './audit-plan.js'
import {collectRun} from './collect-run.js'
import {readsHistory} from '../engine/checks/run-checks.js'
import {HostKeeper} from './host-keeper.js'
import {SmartHistoryReader} from './smart-history.js'
import {judgeRun} from './judge-run.js'
import {pushRuns, pushTarget} from './push.js'
import {writeAuditReports} from './report-files.js'

/**
 * The main job, `hatang audit`: configuration read (exit 2 before anything else) → lock (exit 4 when another audit
 * holds it) → store opened → hosts collected, each snapshot stored and checked as it comes, then let go (HostKeeper
 * keeps what the rest needs) → judged → the judgement stored with
 * the run's completion → results with the run's history → reports written → the outcome, logged with its exit code.
 * A store, lock or report that cannot be written is exit 5. An audit that fails after its run began leaves the run
 * interrupted. Every step says what it did in `log`.
 */
export async function runAudit(request: AuditRequest, log: AuditLog): Promise<AuditOutcome> {
  const plan = planAudit(request)
  const lock = acquireRunLock(plan.lockFile, request.command)
  let store: Store | undefined
  try {
    store = await openStore(plan.storeFile)
    return await auditInto(store, plan, log)
  } catch (error) {
    throw storeProblem(error, plan.storeFile)
  } finally {
    await store?.close()
    lock.release()
  }
}

async function auditInto(store: Store, plan: AuditPlan, log: AuditLog): Promise<AuditOutcome> {
  const file = plan.request.hostsFile
  const startedAt = new Date()
  const writer = await store.beginRun({source: 'audit', ...(file ? {hostsFile: path.resolve(file)} : {}), toolVersion: TOOL_VERSION, startedAt, ...(plan.request.site ? {site: plan.request.site} : {})})
  try {
    return await audit(store, writer, startedAt, plan, log)
  } catch (error) {
    await writer.abandon(`audit failed: ${(error as Error).message}`)
    throw error
  }
}

async function audit(store: Store, writer: RunWriter, startedAt: Date, plan: AuditPlan, log: AuditLog): Promise<AuditOutcome> {
  const {request: r, hosts, packs, waivers} = plan
  const file = r.hostsFile && path.resolve(r.hostsFile)
  log.line(`start: ${file ? `${hosts!.length} hosts of ${file}` : 'this machine'}; packs ${packs.map((p) => `${p.pack}@${p.version}`).join(', ')}${plan.levelProfile ? `; security level ${plan.levelProfile.level} profile (${plan.levelProfile.checks} checks, ${plan.levelProfile.status})` : ''}${plan.selection ? `; ${selectionLine(plan.selection)}` : ''}`)
  warnEolReview(packs, (l) => log.line(l))
  // the trend checks compare each host's disks with the runs before this one (none is read unless a check needs it)
  const begun = readsHistory(packs) ? await store.run(writer.id) : undefined
  const keeper = new HostKeeper(packs, begun && new SmartHistoryReader(store, begun))
  const {hosts: kept, interrupted} = await collectRun(plan, writer, keeper, log)
  if (interrupted) log.line('interrupted (Ctrl-C or SIGTERM): the hosts under way were finished, no other was started')
  const {evaluation, record, results} = await judgeRun({
    store,
    writer,
    hosts: kept,
    regexes: keeper.regexes,
    packs,
    waivers,
    minCoverage: r.minCoverage,
    staleAfterDays: r.staleAfterDays,
    run: {startedAt: startedAt.toISOString(), toolVersion: TOOL_VERSION, operator: `${userInfo().username}@${hostname()}`, source: file || 'this machine', ...(file ? {hostsFile: file} : {})},
  })
  warnDamaged(store, (l) => log.line(l))
  const files = await writeAuditReports(results, {formats: plan.formats, lang: r.lang, dir: r.outputDir, ...(r.templateDir ? {templateDir: r.templateDir} : {}), startedAt})
  const outcome = auditOutcome({startedAt, snapshots: kept.map((h) => h.snapshot), evaluation, packs, failOn: r.failOn, lang: r.lang, interrupted, files, run: record.id, ...(plan.levelProfile ? {level: plan.levelProfile} : {}), ...(plan.selection ? {selection: plan.selection} : {})})
  if (r.push !== undefined) await pushStored(store, r.push, outcome, log)
  log.line(renderAuditSummary(outcome, new Chalk({level: 0})))
  log.line(`exit ${outcome.exitCode}`)
  return outcome
}

/**
 * audit --push: sends the run just stored to the centre. A failure is never the run's loss: it stays here (the next
 * 'hatang push' sends it), the outcome says why and exits 7 (PushFailed) where it would have exited 0 or 1.
 */
async function pushStored(store: Store, to: string, outcome: AuditOutcome, log: AuditLog): Promise<void> {
  const target = pushTarget(to)
  try {
    const {pushed} = await pushRuns(store, to, [Number(outcome.run)])
    outcome.push = {target, centreRun: pushed[0]!.centreRun, already: pushed[0]!.already}
    log.line(`pushed run ${outcome.run} to ${target} as centre run ${pushed[0]!.centreRun}`)
  } catch (error) {
    const e = error as {message?: string; hint?: string; exitCode?: number}
    // the hint of a centre not reached is the warning's own ('hatang push' later); others (a password to set) are kept
    const hint = e.hint && e.exitCode !== ExitCode.Output ? ` — ${e.hint}` : ''
    outcome.push = {target, error: `${e.message ?? String(error)}${hint}`}
    log.line(`warning: ${pushWarning(outcome.push)}`)
    if (outcome.exitCode === ExitCode.Ok || outcome.exitCode === ExitCode.Findings) outcome.exitCode = ExitCode.PushFailed
  }
}
