import type {Implementation} from '../../../inventory/kit/implementation.js'
import type {AnyProbe} from '../../../inventory/kit/probe.js'
import {POSIX_SH, runsCommands, type CommandTransport, type Transport} from '../../transport/transport.js'
import type {DialectRunner, HostContext, RunOptions, RunReport} from '../runner.js'
import {runBatch, type BatchCommand, type BatchResult} from './batch.js'
import {sharedContentStore} from '../indexes/content-store.js'
import {fetchContent} from './fetch-content.js'
import {interpretProbe, outputsOf} from './interpret-probe.js'
import {planBatches} from './plan-batches.js'

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

function contextOf(batch: BatchResult, transport: Transport): HostContext {
  const uid = batch.header.uid ?? null
  return {uid, privileged: uid === 0, os: batch.header.os ?? (transport.platform === 'linux' ? 'Linux' : 'unknown')}
}

const isProbe = (i: Implementation): i is AnyProbe => i.dialect === POSIX_SH && 'commands' in i

/**
 * The posix-sh runner: every probe's commands go to the target as shell scripts, spread over parallel batches (one
 * round trip, one channel each); the batch's header says who ran them (uid, `uname -s`) and the target's clock.
 */
export const posixShRunner: DialectRunner = {
  dialect: POSIX_SH,
  needs: 'POSIX shell',
  async run(transport, implementations, options) {
    const report: RunReport = {batches: [], ...(options.known ? {host: options.known} : {})}
    const probes = implementations.filter(isProbe)
    if (!runsCommands(transport, POSIX_SH)) {
      for (const p of probes) await options.onSection(p, {status: 'error', reason: `the ${transport.kind} transport runs no shell command`, durationMs: 0, commands: 0})
      return report
    }
    await Promise.all(planBatches(probes, options.parallelBatches).map((group) => runGroup(transport, group, options, report)))
    return report
  },
}

async function runGroup(transport: CommandTransport, probes: readonly AnyProbe[], options: RunOptions, report: RunReport): Promise<void> {
  const commands = batchCommands(probes, options.commandTimeoutMs)
  for (const p of probes) options.onStart(p)
  const batch = await runBatch(transport, commands, options.deadlineMs)
  report.batches.push({commands: commands.length, durationMs: Math.round(batch.durationMs), ...(batch.failure ? {failure: batch.failure} : {})})
  if (batch.header.os !== undefined) report.host ??= contextOf(batch, transport)
  if (!report.clock && batch.header.hostTimeMs !== undefined && batch.headerReceivedAtMs !== undefined) {
    const mid = (batch.sentAtMs + batch.headerReceivedAtMs) / 2
    report.clock = {
      hostTime: new Date(batch.header.hostTimeMs).toISOString(),
      auditorTime: new Date(mid).toISOString(),
      skewMs: Math.round(batch.header.hostTimeMs - mid) || 0, // never -0 in the JSON reading
      uncertaintyMs: Math.max(0, Math.round((batch.headerReceivedAtMs - batch.sentAtMs) / 2)),
    }
  }
  const ctx = batch.header.os !== undefined ? contextOf(batch, transport) : (report.host ?? {uid: null, privileged: false, os: 'unknown'})
  for (const p of probes) {
    // let timers, keepalives and progress run between sections: a sweep finishes many hosts at once
    await new Promise<void>((resolve) => setImmediate(resolve))
    const count = Object.keys(p.commands).length
    const keys = Object.keys(p.commands).map((n) => `${p.id}.${n}`)
    if (keys.length > 0 && keys.every((k) => batch.skipped.has(k))) {
      await options.onSection(p, {status: 'unavailable', reason: `not supported on ${ctx.os}`, durationMs: 0, commands: count})
      continue
    }
    const withContents = p.contents ? {...ctx, ...(await contentsFor(transport, p, batch, options))} : ctx
    await options.onSection(p, {...interpretProbe(p, batch.outputs, withContents, batch.failure), commands: count})
  }
}

/** The contents a probe asks for after its commands ran, from the controller's store or, once, from the host. */
async function contentsFor(transport: CommandTransport, p: AnyProbe, batch: BatchResult, options: RunOptions): Promise<{contents: Map<string, unknown>; contentProblems: Map<string, string>}> {
  const contents = new Map<string, unknown>()
  const contentProblems = new Map<string, string>()
  let wanted: ReturnType<NonNullable<AnyProbe['contents']>['wanted']> = []
  try {
    wanted = p.contents!.wanted(outputsOf(p, batch.outputs))
  } catch {
    // the interpreter says what is wrong with the output
  }
  const store = options.contents ?? sharedContentStore()
  await Promise.all(
    wanted.map(async (want) => {
      try {
        contents.set(want.sha256, await store.get(p.contents!.kind, want, () => fetchContent(transport, want)))
      } catch (error) {
        contentProblems.set(want.sha256, (error as Error).message)
      }
    }),
  )
  return {contents, contentProblems}
}
