import os from 'node:os'

import {probes as registeredProbes} from '../../inventory/index.js'
import type {Implementation} from '../../inventory/kit/implementation.js'
import type {AnySectionSpec} from '../model/section-spec.js'
import {isRead, type Section, type SectionStatus} from '../model/section.js'
import {skippedReason, type SectionSelection} from '../model/section-selection.js'
import {SNAPSHOT_SCHEMA_VERSION, type Snapshot, type SnapshotMeta} from '../model/snapshot.js'
import type {Transport} from '../transport/transport.js'
import {withDeadline, type NativeCollector} from './native-collector.js'
import {normalise} from './normalise-section.js'
import type {HostContext, RunOptions, RunReport} from './runner.js'
import {runners} from './runners.js'
import {TOOL_NAME, TOOL_VERSION} from '../model/tool-version.js'
import {plural} from '../model/plural.js'

export interface ProbeEvent {
  id: string
  title: string
  status: SectionStatus
  reason?: string
  durationMs: number
  source: 'probe' | 'native'
}

/** A section as progress names it. */
export interface SectionLabel {
  id: string
  title: string
}

export interface CollectOptions {
  /** The implementations to choose from (default: every one of inventory/), per section the first whose dialect the transport runs. */
  probes?: readonly Implementation[]
  /** systeminformation collectors; used only with the local transport. Empty or omitted: implementations only. */
  native?: readonly NativeCollector[]
  /**
   * Or: the sections native collectors cover and how to load them. The shell batches of the other
   * sections start before the (slow) load.
   */
  nativeLoader?: {ids: readonly string[]; load: () => Promise<readonly NativeCollector[]>}
  /** Batches sent in parallel (channels per host); default DEFAULT_PARALLEL_BATCHES. */
  parallelBatches?: number
  /** Where contents known by hash (package indexes) are kept; default: the process's store in the cache folder. */
  contents?: RunOptions['contents']
  commandTimeoutMs?: number
  /** Whole-batch deadline; default batchDeadlineMs(commandTimeoutMs, parallelBatches). */
  deadlineMs?: number
  nativeDeadlineMs?: number
  /**
   * The sections asked for (--sections, --skip): those in its `skipped` are `skipped`, nothing is sent to the host for
   * them and no native collector reads them; the snapshot's meta records it. Default: every section.
   */
  selection?: SectionSelection
  /** Name of the host in the snapshot; defaults to the transport's target. */
  hostName?: string
  onProbeStart?: (section: SectionLabel) => void
  onProbeDone?: (event: ProbeEvent) => void
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000

/**
 * Batches in parallel when none is said: a host collected on its own answers sooner (its commands on its cores). Two,
 * not three: on this 2-core virtual machine a third batch cost CPU and gave no time back, and one batch costs the
 * least CPU but answers last (`npm run bench`, each against Ansible in the same run: three 1,095 ms wall and 0.66× its
 * CPU; two 931 ms and 0.62×; one 1,066 ms and 0.53×). Running at once, batches cost more than their sum here.
 */
export const DEFAULT_PARALLEL_BATCHES = 2

/** The batches a whole batch's deadline of three command timeouts is counted for (batchDeadlineMs). */
const DEADLINE_BATCHES = 3

/**
 * A whole batch's deadline when none is given: three command timeouts, at least 30 s; fewer batches than three each
 * carry the work of several, and get their deadlines together (one batch: three times as long), so a host with a few
 * hanging commands is not cut sooner for being sent fewer batches.
 */
export const batchDeadlineMs = (commandTimeoutMs: number, parallelBatches = DEFAULT_PARALLEL_BATCHES): number =>
  Math.max(30_000, commandTimeoutMs * 3) * Math.ceil(DEADLINE_BATCHES / Math.max(1, Math.min(parallelBatches, DEADLINE_BATCHES)))

/**
 * The host's status from its sections: `ok` when none failed, `partial` when some failed but at least one was read,
 * and not collected at all — `timeout` when every failure was a timeout, else `error` — when no section could be
 * read: a host that answered nothing is never "collected".
 */
export function hostStatusOf(byId: Readonly<Record<string, Section<unknown>>>): {status: 'ok' | 'partial' | 'timeout' | 'error'; reason?: string} {
  const sections = Object.values(byId)
  const failedIds = Object.keys(byId).filter((id) => byId[id]!.status === 'error' || byId[id]!.status === 'timeout')
  const failed = failedIds.map((id) => byId[id]!)
  const read = sections.filter((s) => isRead(s.status)).length
  if (read === 0) {
    const timedOut = failed.filter((s) => s.status === 'timeout').length
    const unavailable = sections.filter((s) => s.status === 'unavailable').length
    const skipped = sections.filter((s) => s.status === 'skipped').length
    const parts = [timedOut ? `${timedOut} timed out` : '', failed.length - timedOut ? `${failed.length - timedOut} failed` : '', unavailable ? `${unavailable} unavailable` : '', skipped ? `${skipped} skipped` : ''].filter(Boolean)
    const first = failed[0]?.reason ?? sections[0]?.reason
    return {
      status: failed.length > 0 && timedOut === failed.length ? 'timeout' : 'error',
      reason: `no section could be read (${plural(sections.length, 'section')}: ${parts.join(', ')})${first ? `; first reason: ${first.split('\n')[0]}` : ''}`,
    }
  }
  if (failed.length === 0) return {status: 'ok'}
  return {status: 'partial', reason: `${plural(failed.length, 'section')} failed: ${failedIds.map((id) => `${id} (${byId[id]!.status})`).join(', ')}`}
}

/** Where a transport is, for a reason: `Windows`, `linux`, or the kind of target when its platform is unknown. */
function whereOf(transport: Transport): string {
  if (transport.platform === 'win32') return 'Windows'
  return transport.platform === 'unknown' ? `this ${transport.kind} target` : transport.platform
}

/**
 * Collects one host into a snapshot: for each section, the implementation whose dialect the transport runs (its
 * dialects in order of preference), run by that dialect's runner; locally, native collectors first where they
 * cover a section. A section nothing here can read says so. Never throws for the host's sake.
 */
export async function collectHost(transport: Transport, options: CollectOptions = {}): Promise<Snapshot> {
  const started = performance.now()
  const collectedAt = new Date()
  const all = options.probes ?? registeredProbes
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  const parallelBatches = options.parallelBatches ?? DEFAULT_PARALLEL_BATCHES
  const deadlineMs = options.deadlineMs ?? batchDeadlineMs(commandTimeoutMs, parallelBatches)
  const every = [...new Map(all.map((i) => [i.section.id, i.section])).values()]
  const order = new Map(every.map((s, i) => [s.id, i]))
  const left = new Set(options.selection?.skipped)
  // the sections to read; the others are recorded as skipped below, and nothing is sent for them
  const specs = every.filter((s) => !left.has(s.id))
  // per section, the implementation in the first dialect the transport runs that has one
  const chosen = new Map<string, Implementation>()
  for (const spec of specs) {
    for (const dialect of transport.dialects) {
      const impl = all.find((i) => i.section.id === spec.id && i.dialect === dialect)
      if (impl) {
        chosen.set(spec.id, impl)
        break
      }
    }
  }
  const useNative = transport.kind === 'local'
  const nativeIds = new Set((useNative ? (options.native?.map((n) => n.section.id) ?? options.nativeLoader?.ids ?? []) : []).filter((id) => !left.has(id)))
  let nativeUsed = false
  const sections = new Map<string, Section<unknown>>()
  const runs: SnapshotMeta['probes'] = []
  const batchInfo: SnapshotMeta['batches'] = []
  let context: HostContext | undefined
  let clock: SnapshotMeta['clock']

  const record = (spec: AnySectionSpec, source: 'probe' | 'native', result: {status: SectionStatus; reason?: string; data?: unknown; durationMs: number}, commands = 0) => {
    const durationMs = Math.max(0, Math.round(result.durationMs))
    const section: Section<unknown> = {status: result.status, version: spec.version, source, durationMs}
    if (result.reason) section.reason = result.reason
    if (result.data !== undefined) section.data = result.data
    sections.set(spec.id, section)
    runs.push({id: spec.id, status: result.status, source, durationMs, commands})
    options.onProbeDone?.({id: spec.id, title: spec.title, status: result.status, ...(result.reason ? {reason: result.reason} : {}), durationMs, source})
  }

  /** A section no implementation here can read on this target: which dialects it would need. */
  const unsupported = (spec: AnySectionSpec) => {
    const needs = [...new Set(all.filter((i) => i.section.id === spec.id).map((i) => runners[i.dialect]?.needs ?? i.dialect))]
    record(spec, 'probe', {status: 'unavailable', reason: `not supported on ${whereOf(transport)} (no ${needs.join(' or ')})`, durationMs: 0})
  }

  const merge = (report: RunReport) => {
    batchInfo.push(...report.batches)
    context ??= report.host
    clock ??= report.clock
  }

  /** Runs implementations, each by its dialect's runner, all dialects at once. */
  const run = async (implementations: readonly Implementation[]) => {
    const dialects = [...new Set(implementations.map((i) => i.dialect))]
    await Promise.all(
      dialects.map(async (dialect) => {
        const report = await runners[dialect].run(
          transport,
          implementations.filter((i) => i.dialect === dialect),
          {
            commandTimeoutMs,
            deadlineMs,
            parallelBatches,
            ...(options.contents ? {contents: options.contents} : {}),
            ...(context ? {known: context} : {}),
            onStart: (i) => options.onProbeStart?.(i),
            onSection: (i, outcome) => record(i.section, 'probe', outcome, outcome.commands),
          },
        )
        merge(report)
      }),
    )
  }

  const runNative = async (n: NativeCollector): Promise<AnySectionSpec | undefined> => {
    options.onProbeStart?.(n.section)
    const t0 = performance.now()
    // with nothing else to read the section, the collector's answer stands, whatever it is
    const last = !chosen.has(n.section.id)
    try {
      const result = normalise(n.section, await withDeadline(n.collect(), options.nativeDeadlineMs ?? 5_000, `systeminformation (${n.section.id})`))
      if (isRead(result.status) || last) {
        record(n.section, 'native', {...result, durationMs: performance.now() - t0})
        return undefined
      }
    } catch (error) {
      if (last) {
        record(n.section, 'native', {status: 'timeout', reason: (error as Error).message, durationMs: performance.now() - t0})
        return undefined
      }
    }
    return n.section // fall back to the section's implementation
  }

  const byImplementation = (ids: readonly AnySectionSpec[]) => {
    for (const spec of ids) if (!chosen.has(spec.id)) unsupported(spec)
    return ids.flatMap((spec) => chosen.get(spec.id) ?? [])
  }
  const firstRun = run(byImplementation(specs.filter((s) => !nativeIds.has(s.id))))
  const nativeDone = (async () => {
    if (nativeIds.size === 0) return []
    let collectors: readonly NativeCollector[] = []
    try {
      collectors = options.native ?? (await options.nativeLoader!.load())
    } catch {
      // systeminformation could not be loaded: every native section falls back to its implementation
    }
    const byId = new Map(collectors.filter((n) => n.platforms.includes(process.platform)).map((n) => [n.section.id, n]))
    nativeUsed = byId.size > 0
    return Promise.all(specs.filter((s) => nativeIds.has(s.id)).map((s) => (byId.has(s.id) ? runNative(byId.get(s.id)!) : s)))
  })()
  await firstRun
  const fallback = (await nativeDone).filter((s): s is AnySectionSpec => s !== undefined)
  if (fallback.length > 0) await run(byImplementation(fallback))

  for (const spec of every) {
    if (left.has(spec.id)) sections.set(spec.id, {status: 'skipped', version: spec.version, reason: skippedReason(options.selection!), source: 'probe', durationMs: 0})
  }
  const ordered: Record<string, Section<unknown>> = {}
  for (const spec of every) {
    ordered[spec.id] = sections.get(spec.id) ?? {status: 'error', version: spec.version, reason: 'not collected', source: 'probe', durationMs: 0}
  }
  runs.sort((a, b) => order.get(a.id)! - order.get(b.id)!)

  const uid = context?.uid ?? (transport.kind === 'local' && process.getuid ? process.getuid() : null)
  const meta: SnapshotMeta = {
    tool: {name: TOOL_NAME, version: TOOL_VERSION},
    collectedAt: collectedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    transport: transport.kind,
    target: transport.target,
    platform: context?.os ?? (transport.platform === 'linux' ? 'Linux' : transport.platform),
    ...(uid === null ? {} : {uid}),
    privileged: uid === 0,
    native: nativeUsed,
    probes: runs,
    batches: batchInfo,
    ...(clock ? {clock} : {}),
    ...(options.selection ? {selection: options.selection} : {}),
  }
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    host: {name: options.hostName ?? (transport.kind === 'local' ? os.hostname() : transport.target), ...hostStatusOf(ordered)},
    meta,
    sections: ordered as unknown as Snapshot['sections'],
  }
}
