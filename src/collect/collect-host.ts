import os from 'node:os'

import {probes as registeredProbes} from '../../inventory/index.js'
import {SNAPSHOT_SCHEMA_VERSION, type Snapshot, type SnapshotMeta} from '../model/snapshot.js'
import type {Section, SectionStatus} from '../model/section.js'
import type {Transport} from '../transport/transport.js'
import {runBatch, type BatchCommand, type BatchResult} from './batch.js'
import {interpretProbe, normalise} from './interpret-probe.js'
import {withDeadline, type NativeCollector} from './native-collector.js'
import {planBatches} from './plan-batches.js'
import type {AnyProbe, ProbeContext} from '../../inventory/kit/probe.js'
import {TOOL_NAME, TOOL_VERSION} from './tool-version.js'

export interface ProbeEvent {
  id: string
  title: string
  status: SectionStatus
  reason?: string
  durationMs: number
  source: 'probe' | 'native'
}

export interface CollectOptions {
  probes?: readonly AnyProbe[]
  /** systeminformation collectors; used only with the local transport. Empty or omitted: probes only. */
  native?: readonly NativeCollector[]
  /**
   * Or: the sections native collectors cover and how to load them. The shell batches of the other
   * sections start before the (slow) load.
   */
  nativeLoader?: {ids: readonly string[]; load: () => Promise<readonly NativeCollector[]>}
  /** Batches sent in parallel (channels per host). */
  parallelBatches?: number
  commandTimeoutMs?: number
  /** Whole-batch deadline. */
  deadlineMs?: number
  nativeDeadlineMs?: number
  /** Name of the host in the snapshot; defaults to the transport's target. */
  hostName?: string
  onProbeStart?: (probe: AnyProbe) => void
  onProbeDone?: (event: ProbeEvent) => void
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000

function batchCommands(probes: readonly AnyProbe[], commandTimeoutMs: number): BatchCommand[] {
  return probes.flatMap((p) =>
    Object.entries(p.commands).map(([name, command]) => ({
      key: `${p.id}.${name}`,
      command,
      timeoutMs: p.timeoutMs ?? commandTimeoutMs,
      platforms: p.platforms,
    })),
  )
}

function contextOf(batch: BatchResult, transport: Transport): ProbeContext {
  const uid = batch.header.uid ?? null
  return {uid, privileged: uid === 0, os: batch.header.os ?? (transport.platform === 'linux' ? 'Linux' : 'unknown')}
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * The host's status from its sections: `ok` when none failed, `partial` when some failed but at least one was read,
 * and not collected at all — `timeout` when every failure was a timeout, else `error` — when no section could be
 * read: a host that answered nothing is never "collected".
 */
export function hostStatusOf(byId: Readonly<Record<string, Section<unknown>>>): {status: 'ok' | 'partial' | 'timeout' | 'error'; reason?: string} {
  const sections = Object.values(byId)
  const failedIds = Object.keys(byId).filter((id) => byId[id]!.status === 'error' || byId[id]!.status === 'timeout')
  const failed = failedIds.map((id) => byId[id]!)
  const read = sections.filter((s) => s.status === 'ok' || s.status === 'partial').length
  if (read === 0) {
    const timedOut = failed.filter((s) => s.status === 'timeout').length
    const unavailable = sections.filter((s) => s.status === 'unavailable').length
    const parts = [timedOut ? `${timedOut} timed out` : '', failed.length - timedOut ? `${failed.length - timedOut} failed` : '', unavailable ? `${unavailable} unavailable` : ''].filter(Boolean)
    const first = failed[0]?.reason ?? sections[0]?.reason
    return {
      status: failed.length > 0 && timedOut === failed.length ? 'timeout' : 'error',
      reason: `no section could be read (${plural(sections.length, 'section')}: ${parts.join(', ')})${first ? `; first reason: ${first.split('\n')[0]}` : ''}`,
    }
  }
  if (failed.length === 0) return {status: 'ok'}
  return {status: 'partial', reason: `${plural(failed.length, 'section')} failed: ${failedIds.map((id) => `${id} (${byId[id]!.status})`).join(', ')}`}
}

/** Collects one host: every probe (and, locally, native collectors), into a snapshot. Never throws for the host's sake. */
export async function collectHost(transport: Transport, options: CollectOptions = {}): Promise<Snapshot> {
  const started = performance.now()
  const collectedAt = new Date()
  const all = options.probes ?? (registeredProbes as readonly AnyProbe[])
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  const deadlineMs = options.deadlineMs ?? Math.max(30_000, commandTimeoutMs * 3)
  const useNative = transport.kind === 'local'
  const nativeIds = new Set(useNative ? (options.native?.map((n) => n.probe.id) ?? options.nativeLoader?.ids ?? []) : [])
  let nativeUsed = false
  const sections = new Map<string, Section<unknown>>()
  const runs: SnapshotMeta['probes'] = []
  const batchInfo: SnapshotMeta['batches'] = []
  let context: ProbeContext | undefined
  let clock: SnapshotMeta['clock']

  const record = (probe: AnyProbe, source: 'probe' | 'native', result: {status: SectionStatus; reason?: string; data?: unknown; durationMs: number}) => {
    const durationMs = Math.max(0, Math.round(result.durationMs))
    const section: Section<unknown> = {status: result.status, source, durationMs}
    if (result.reason) section.reason = result.reason
    if (result.data !== undefined) section.data = result.data
    sections.set(probe.id, section)
    runs.push({id: probe.id, status: result.status, source, durationMs, commands: source === 'probe' ? Object.keys(probe.commands).length : 0})
    options.onProbeDone?.({id: probe.id, title: probe.title, status: result.status, ...(result.reason ? {reason: result.reason} : {}), durationMs, source})
  }

  const runProbes = async (probes: readonly AnyProbe[]) => {
    const commands = batchCommands(probes, commandTimeoutMs)
    for (const p of probes) options.onProbeStart?.(p)
    const batch = await runBatch(transport, commands, deadlineMs)
    batchInfo.push({commands: commands.length, durationMs: Math.round(batch.durationMs), ...(batch.failure ? {failure: batch.failure} : {})})
    if (batch.header.os !== undefined) context ??= contextOf(batch, transport)
    if (!clock && batch.header.hostTimeMs !== undefined && batch.headerReceivedAtMs !== undefined) {
      const mid = (batch.sentAtMs + batch.headerReceivedAtMs) / 2
      clock = {
        hostTime: new Date(batch.header.hostTimeMs).toISOString(),
        auditorTime: new Date(mid).toISOString(),
        skewMs: Math.round(batch.header.hostTimeMs - mid) || 0, // never -0 in the JSON reading
        uncertaintyMs: Math.max(0, Math.round((batch.headerReceivedAtMs - batch.sentAtMs) / 2)),
      }
    }
    const ctx = batch.header.os !== undefined ? contextOf(batch, transport) : (context ?? {uid: null, privileged: false, os: 'unknown'})
    for (const p of probes) {
      // let timers, keepalives and progress run between sections: a sweep finishes many hosts at once
      if (transport.kind === 'ssh') await new Promise<void>((resolve) => setImmediate(resolve))
      const keys = Object.keys(p.commands).map((n) => `${p.id}.${n}`)
      if (keys.length > 0 && keys.every((k) => batch.skipped.has(k))) {
        record(p, 'probe', {status: 'unavailable', reason: `not supported on ${ctx.os}`, durationMs: 0})
        continue
      }
      record(p, 'probe', interpretProbe(p, batch.outputs, ctx, batch.failure))
    }
  }

  const runNative = async (n: NativeCollector): Promise<AnyProbe | undefined> => {
    options.onProbeStart?.(n.probe)
    const t0 = performance.now()
    try {
      const result = normalise(n.probe, await withDeadline(n.collect(), options.nativeDeadlineMs ?? 5_000, `systeminformation (${n.probe.id})`))
      if (result.status === 'ok' || result.status === 'partial' || transport.platform === 'win32') {
        record(n.probe, 'native', {...result, durationMs: performance.now() - t0})
        return undefined
      }
    } catch (error) {
      if (transport.platform === 'win32') {
        record(n.probe, 'native', {status: 'timeout', reason: (error as Error).message, durationMs: performance.now() - t0})
        return undefined
      }
    }
    return n.probe // fall back to the shell probe
  }

  const shellProbes = all.filter((p) => !nativeIds.has(p.id))
  // Windows has no POSIX shell: its sections come from the native collectors or say why they cannot
  const noShell = transport.kind === 'local' && transport.platform === 'win32'
  const unsupported = (probes: readonly AnyProbe[]) => {
    for (const p of probes) record(p, 'probe', {status: 'unavailable', reason: 'not supported on Windows (no POSIX shell)', durationMs: 0})
  }
  const groups = noShell ? [] : planBatches(shellProbes, options.parallelBatches ?? 3)
  if (noShell) unsupported(shellProbes)
  const shellDone = Promise.all(groups.map((g) => runProbes(g)))
  const nativeDone = (async () => {
    if (nativeIds.size === 0) return []
    let collectors: readonly NativeCollector[] = []
    try {
      collectors = options.native ?? (await options.nativeLoader!.load())
    } catch {
      // systeminformation could not be loaded: every native section falls back to its probe
    }
    const byId = new Map(collectors.filter((n) => n.platforms.includes(process.platform)).map((n) => [n.probe.id, n]))
    nativeUsed = byId.size > 0
    return Promise.all(all.filter((p) => nativeIds.has(p.id)).map((p) => (byId.has(p.id) ? runNative(byId.get(p.id)!) : p)))
  })()
  await shellDone
  const fallback = (await nativeDone).filter((p): p is AnyProbe => p !== undefined)
  if (fallback.length > 0) {
    if (noShell) unsupported(fallback)
    else await runProbes(fallback)
  }

  const ordered: Record<string, Section<unknown>> = {}
  for (const p of all) {
    ordered[p.id] = sections.get(p.id) ?? {status: 'error', reason: 'not collected', source: 'probe', durationMs: 0}
  }
  runs.sort((a, b) => all.findIndex((p) => p.id === a.id) - all.findIndex((p) => p.id === b.id))

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
  }
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    host: {name: options.hostName ?? (transport.kind === 'local' ? os.hostname() : transport.target), ...hostStatusOf(ordered)},
    meta,
    sections: ordered as unknown as Snapshot['sections'],
  }
}
