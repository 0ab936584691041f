import {ExitCode} from '../cli/exit-codes.js'
import type {LevelProfile} from '../engine/checks/level-profile.js'
import type {Pack} from '../engine/checks/pack.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'
import {isCollected} from '../model/host-status.js'
import type {SectionSelection} from '../model/section-selection.js'
import type {FailOn} from '../model/severity.js'
import type {Snapshot} from '../model/snapshot.js'
import {countFindings, findingsAtOrAbove, topFindings, type AuditOutcome} from '../report/audit-summary.js'
import type {Lang} from '../report/locale.js'

export interface AuditOutcomeInput {
  startedAt: Date
  snapshots: readonly Snapshot[]
  evaluation: RunEvaluation
  packs: readonly Pack[]
  failOn: FailOn
  /** The language of the top findings' titles. */
  lang: Lang
  interrupted: boolean
  /** The reports written. */
  files: string[]
  /** The stored run's id. */
  run: number
  /** --level: the security level profile the run was judged with. */
  level?: LevelProfile
  /** --sections, --skip: the sections asked for. */
  selection?: SectionSelection
}

/** A check's title in a language, by pack and id (the id when no pack has it). */
function titleOf(packs: readonly Pack[], lang: Lang): (pack: string, check: string) => string {
  const titles = new Map(packs.flatMap((p) => p.checks.map((c) => [`${p.pack}/${c.id}`, c.title[lang]] as const)))
  return (pack, check) => titles.get(`${pack}/${check}`) ?? check
}

/**
 * The exit code of an audit that ran to its end (2, 4 and 5 end it earlier, as errors), the first that applies:
 * interrupted 130; some hosts not collected 3, whatever the findings (the audit is incomplete); a host judged on too
 * little evidence 6; a finding at or above --fail-on 1; else 0.
 */
export function auditExitCode(o: Pick<AuditOutcome, 'interrupted' | 'hosts' | 'insufficient' | 'blocking'>): ExitCode {
  if (o.interrupted) return ExitCode.Interrupted
  if (o.hosts.notCollected.length > 0) return ExitCode.Unreachable
  // here every host was collected, some maybe on too little evidence
  if (o.insufficient.length > 0) return ExitCode.InsufficientData
  return o.blocking > 0 ? ExitCode.Findings : ExitCode.Ok
}

/** What an audit says when it is done: hosts, findings, score and coverage, files, run and exit code. */
export function auditOutcome(i: AuditOutcomeInput): AuditOutcome {
  const {evaluation, failOn} = i
  const findings = countFindings(evaluation)
  const blocking = findingsAtOrAbove(findings, failOn)
  const notCollected = i.snapshots.filter((s) => !isCollected(s.host.status)).map((s) => ({name: s.host.name, status: s.host.status, ...(s.host.reason ? {reason: s.host.reason} : {})}))
  // hosts judged on too little evidence, the uncollected ones included: never compliant
  const insufficient = evaluation.hosts.filter((h) => h.insufficient).map((h) => ({name: h.host, reason: h.insufficient!}))
  const hosts = {total: i.snapshots.length, collected: i.snapshots.length - notCollected.length, notCollected}
  return {
    startedAt: i.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    hosts,
    interrupted: i.interrupted,
    failOn,
    findings,
    blocking,
    top: topFindings(evaluation, titleOf(i.packs, i.lang), failOn),
    score: evaluation.scores.overall.score,
    coverage: evaluation.scores.overall.coverage,
    minCoverage: evaluation.evidence.minCoverage,
    insufficient,
    files: i.files,
    run: String(i.run),
    ...(i.level ? {level: i.level} : {}),
    ...(i.selection ? {selection: i.selection} : {}),
    exitCode: auditExitCode({interrupted: i.interrupted, hosts, insufficient, blocking}),
  }
}
