import type {Implementation} from '../../../inventory/kit/implementation.js'
import type {AnyProbe, CommandOutput, ProbeContext} from '../../../inventory/kit/probe.js'
import {sharedCommandsOf, type SharedCommand} from '../../../inventory/kit/shared-command.js'
import {POSIX_SH, runsCommands, type CommandTransport, type Transport} from '../../transport/transport.js'
import type {DialectRunner, HostContext, RunOptions, RunReport} from '../runner.js'
import {runBatch, type BatchCommand, type BatchResult} from './batch.js'
import {sharedContentStore} from '../indexes/content-store.js'
import {fetchContent} from './fetch-content.js'
import {interpretProbe, outputsOf, sharedKey} from './interpret-probe.js'
import {planBatches} from './plan-batches.js'
import {expandGroups, probeBatchCommands} from './probe-batch.js'

function batchCommands(probes: readonly AnyProbe[], shared: readonly SharedCommand[], commandTimeoutMs: number): BatchCommand[] {
  return [
    ...shared.map((s) => ({key: sharedKey(s), command: s.command, timeoutMs: s.timeoutMs ?? commandTimeoutMs, platforms: s.platforms})),
    ...probes.flatMap((p) => probeBatchCommands(p, commandTimeoutMs)),
  ]
}

const readsShared = (p: AnyProbe) => Object.keys(p.shared ?? {}).length > 0
const weightOf = (group: readonly AnyProbe[]) => group.reduce((sum, p) => sum + (p.weight ?? 1), 0)

/** The outputs of a host's shared commands, once their batch has run; every probe that reads one gets the same object. */
interface SharedOutputs {
  ready: Promise<ReadonlyMap<string, CommandOutput>>
  deliver(outputs: ReadonlyMap<string, CommandOutput>): void
}

const NOT_RUN: CommandOutput = {stdout: '', stderr: '', exitCode: null, timedOut: false, durationMs: 0, ran: false}

function sharedOutputs(): SharedOutputs {
  let deliver!: SharedOutputs['deliver']
  const ready = new Promise<ReadonlyMap<string, CommandOutput>>((resolve) => (deliver = resolve))
  return {ready, deliver}
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
    const groups = planBatches(probes, options.parallelBatches)
    // the shared commands of the probes run here (and only those), once, first in the lightest batch that has a
    // probe reading them; probes of the other batches wait for that batch
    const shared = sharedCommandsOf(probes)
    const readers = groups.filter((g) => g.some(readsShared))
    const home = readers.reduce<AnyProbe[] | undefined>((best, g) => (best === undefined || weightOf(g) < weightOf(best) ? g : best), undefined)
    const outputs = sharedOutputs()
    if (!home) outputs.deliver(new Map())
    await Promise.all(groups.map((group) => runGroup(transport, group, group === home ? shared : [], outputs, options, report)))
    return report
  },
}

async function runGroup(
  transport: CommandTransport,
  probes: readonly AnyProbe[],
  shared: readonly SharedCommand[],
  sharedOut: SharedOutputs,
  options: RunOptions,
  report: RunReport,
): Promise<void> {
  const commands = batchCommands(probes, shared, options.commandTimeoutMs)
  for (const p of probes) options.onStart(p)
  const running = runBatch(transport, commands, options.deadlineMs)
  if (shared.length > 0) {
    // the other batches' probes get the shared outputs as soon as this batch is back, whatever became of it
    const deliver = (b?: BatchResult) => sharedOut.deliver(new Map(shared.map((s) => [sharedKey(s), b?.outputs.get(sharedKey(s)) ?? NOT_RUN])))
    running.then(deliver, () => deliver())
  }
  const batch = await running
  expandGroups(probes, batch)
  report.batches.push(batchRecord(commands.length, batch))
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
  let withShared: ReadonlyMap<string, CommandOutput> | undefined
  for (const p of probes) {
    // let timers, keepalives and progress run between sections: a sweep finishes many hosts at once
    await new Promise<void>((resolve) => setImmediate(resolve))
    const count = Object.keys(p.commands).length
    const keys = Object.keys(p.commands).map((n) => `${p.id}.${n}`)
    if (keys.length > 0 && keys.every((k) => batch.skipped.has(k))) {
      await options.onSection(p, {status: 'unavailable', reason: `not supported on ${ctx.os}`, durationMs: 0, commands: count})
      continue
    }
    if (readsShared(p)) withShared ??= new Map([...batch.outputs, ...(await sharedOut.ready)])
    const outputs = readsShared(p) ? withShared! : batch.outputs
    const withContents = p.contents ? {...ctx, ...(await contentsFor(transport, p, outputs, options))} : ctx
    const more = followUpOf(p, outputs, withContents, options.commandTimeoutMs)
    if (more.length > 0) {
      const second = await runBatch(transport, more, options.deadlineMs)
      report.batches.push(batchRecord(more.length, second))
      const merged = new Map([...outputs, ...second.outputs])
      await options.onSection(p, {...interpretProbe(p, merged, withContents, second.failure ?? batch.failure), commands: count + more.length})
      continue
    }
    await options.onSection(p, {...interpretProbe(p, outputs, withContents, batch.failure), commands: count})
  }
}

/** What the snapshot's meta says of one batch: how many commands, how long, and why it failed. */
const batchRecord = (commands: number, b: BatchResult): RunReport['batches'][number] => ({commands, durationMs: Math.round(b.durationMs), ...(b.failure ? {failure: b.failure} : {})})

/** The commands a probe asks for after its first answer (none for nearly every probe and host). */
function followUpOf(p: AnyProbe, outputs: ReadonlyMap<string, CommandOutput>, context: ProbeContext, commandTimeoutMs: number): BatchCommand[] {
  let more: Readonly<Record<string, string>> | undefined
  try {
    more = p.followUp?.(outputsOf(p, outputs), context)
  } catch {
    // the interpreter says what is wrong with the first answer
  }
  return Object.entries(more ?? {})
    .filter(([name]) => name in p.commands)
    .map(([name, command]) => ({key: `${p.id}.${name}`, command, timeoutMs: p.timeoutMs ?? commandTimeoutMs, platforms: p.platforms}))
}

/** The contents a probe asks for after its commands ran, from the controller's store or, once, from the host. */
async function contentsFor(transport: CommandTransport, p: AnyProbe, outputs: ReadonlyMap<string, CommandOutput>, options: RunOptions): Promise<{contents: Map<string, unknown>; contentProblems: Map<string, string>}> {
  const contents = new Map<string, unknown>()
  const contentProblems = new Map<string, string>()
  let wanted: ReturnType<NonNullable<AnyProbe['contents']>['wanted']> = []
  try {
    wanted = p.contents!.wanted(outputsOf(p, outputs))
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
