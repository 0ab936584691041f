import os, {availableParallelism} from 'node:os'
import path from 'node:path'

import type {HostSpec} from '../hosts/model.js'
import type {HostStatus} from '../model/host-status.js'
import {SNAPSHOT_SCHEMA_VERSION, type Snapshot} from '../model/snapshot.js'
import type {Section} from '../model/section.js'
import {sectionCatalog} from '../model/sections/index.js'
import {LocalTransport} from '../transport/local-transport.js'
import {KnownHostsBook} from '../transport/known-hosts-book.js'
import type {SshSecrets} from '../transport/ssh-secrets.js'
import {SshConnectError, SshTransport} from '../transport/ssh-transport.js'
import type {Transport} from '../transport/transport.js'
import {AdaptiveLimit, startingLimit, type LimitChange} from './adaptive-limit.js'
import {batchDeadlineMs, collectHost, type CollectOptions} from './collect-host.js'
import {latencySamples} from './latency-samples.js'
import {LoopLag} from './loop-lag.js'
import {retryDecision, timedOutPart} from './timeout-retry.js'
import {TOOL_NAME, TOOL_VERSION} from '../model/tool-version.js'
import {plural} from '../model/plural.js'

export interface HostOutcome {
  host: HostSpec
  status: HostStatus
  reason?: string
  snapshot: Snapshot
  durationMs: number
  /** Set when the host was collected a second time, and why: its first attempt timed out under saturation. */
  retried?: string
}

export interface SweepOptions {
  /** The most hosts collected at once; with adaptation (the default), fewer while the sweep is saturated. */
  concurrency?: number
  /** false: always `concurrency` hosts at once and no retry (benchmarks compare with it). */
  adaptive?: boolean
  /** Seconds each probe command may run (a host's commandTimeout wins). */
  commandTimeoutS?: number
  /** Seconds to connect (a host's connectTimeout wins). */
  connectTimeoutS?: number
  /** Record host keys of hosts seen for the first time (like StrictHostKeyChecking=accept-new). */
  acceptNew?: boolean
  /** known_hosts files for hosts that name none: ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts by default. */
  defaultKnownHosts?: string[]
  /** Channels per host; never above OpenSSH's default MaxSessions (10). */
  maxChannels?: number
  signal?: AbortSignal
  onHostStart?: (host: HostSpec) => void
  onHostDone?: (outcome: HostOutcome) => void
  /** Passed to collectHost: the sections asked for (--sections, --skip); probes and batches, which tests use. */
  collect?: Pick<CollectOptions, 'probes' | 'parallelBatches' | 'selection'>
  /** Passwords and key passphrases (default: the environment). */
  secrets?: SshSecrets
  /** The number of hosts at once changed (adaptive sweeps). */
  onLimit?: (change: LimitChange) => void
  /** A host timed out while the sweep was saturated: it will be collected once more (`why`); onHostDone comes after. */
  onHostRetry?: (host: HostSpec, why: string) => void
  /** Called just before connecting to a host (attempt 2 for a retry). Tests saturate the controller from it, for real. */
  beforeConnect?: (host: HostSpec, attempt: number) => void
}

export const DEFAULT_KNOWN_HOSTS = [path.join(os.homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts']

/** A snapshot for a host that could not be collected: every section present, each saying why it is empty. */
export function failedSnapshot(host: HostSpec, status: HostStatus, reason: string, transport: HostSpec['transport']): Snapshot {
  const sectionStatus = status === 'timeout' ? 'timeout' : 'error'
  const sections: Record<string, Section<unknown>> = {}
  for (const spec of sectionCatalog) sections[spec.id] = {status: sectionStatus, version: spec.version, reason: `host not collected (${status}): ${reason.split('\n')[0]}`, source: 'probe', durationMs: 0}
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    host: hostInfo(host, status, reason),
    meta: {
      tool: {name: TOOL_NAME, version: TOOL_VERSION},
      collectedAt: new Date().toISOString(),
      durationMs: 0,
      transport,
      target: `${host.address}:${host.port}`,
      platform: 'unknown',
      privileged: false,
      native: false,
      probes: [],
      batches: [],
    },
    sections: sections as unknown as Snapshot['sections'],
  }
}

function hostInfo(host: HostSpec, status: HostStatus, reason?: string): Snapshot['host'] {
  return {
    name: host.name,
    address: host.address,
    port: host.port,
    groups: host.groups,
    tags: host.tags,
    ...(host.role ? {role: host.role} : {}),
    ...(host.unit ? {unit: host.unit} : {}),
    ...(host.references ? {references: host.references} : {}),
    status,
    ...(reason ? {reason} : {}),
  }
}

/** ok when every section is ok, partial or honestly unavailable; partial when a command failed or timed out (collectHost judged it). */
export function statusOfSnapshot(snapshot: Snapshot): {status: HostStatus; reason?: string} {
  return {status: snapshot.host.status, ...(snapshot.host.reason ? {reason: snapshot.host.reason} : {})}
}

/**
 * A swept host gets its commands in one batch: one SSH session, one batch shell (and one sudo), ~26 ms less of each
 * target's CPU than three in parallel (a 50-host loopback sweep: 333 → 307 ms a host), at the cost of the host's own
 * latency (its commands one after another), which a sweep of many hosts at once does not wait on. `hatang collect`
 * of this machine sends two (DEFAULT_PARALLEL_BATCHES).
 */
export const SWEEP_BATCHES = 1

/** The batches a swept host gets: SWEEP_BATCHES unless a caller (a test, the bench) says otherwise. */
const sweepBatches = (options: SweepOptions) => options.collect?.parallelBatches ?? SWEEP_BATCHES

const connectTimeoutMs = (host: HostSpec, options: SweepOptions) => (host.connectTimeoutS ?? options.connectTimeoutS ?? 10) * 1000
const commandTimeoutMs = (host: HostSpec, options: SweepOptions) => (host.commandTimeoutS ?? options.commandTimeoutS ?? 10) * 1000

async function connect(host: HostSpec, options: SweepOptions, known: KnownHostsBook): Promise<Transport> {
  if (host.transport === 'local') return new LocalTransport()
  const files = host.knownHostsFiles.length > 0 ? host.knownHostsFiles : (options.defaultKnownHosts ?? DEFAULT_KNOWN_HOSTS)
  const hostKeys = await known.policy(files)
  const jump = host.proxyJump?.map((hop) => ({host: hop.host, port: hop.port ?? 22, user: hop.user ?? host.user ?? os.userInfo().username, identityFiles: host.identityFiles}))
  return SshTransport.connect(
    {
      host: host.address,
      port: host.port,
      user: host.user ?? os.userInfo().username,
      identityFiles: host.identityFiles,
      ...(jump && jump.length > 0 ? {jump} : {}),
      sudo: host.sudo,
      ...(host.passwordEnv ? {passwordEnv: host.passwordEnv} : {}),
    },
    {
      verifyHostKey: hostKeys.verify,
      hostKeyAlgorithms: hostKeys.algorithms,
      connectTimeoutMs: connectTimeoutMs(host, options),
      maxChannels: Math.min(10, options.maxChannels ?? 8),
      ...(options.secrets ? {secrets: options.secrets} : {}),
    },
    host.name,
  )
}

/** What a sweep learns of one host's attempt as it goes. */
export interface AttemptWatch {
  attempt: number
  /** The SSH connection (handshake included) took this long. */
  connected?: (ms: number) => void
}

/** Collects one host and never throws: a failure is an outcome with its status and reason. */
export async function sweepHost(
  host: HostSpec,
  options: SweepOptions,
  known = new KnownHostsBook({acceptNew: options.acceptNew ?? false}),
  watch: AttemptWatch = {attempt: 1},
): Promise<HostOutcome> {
  const t0 = performance.now()
  const selection = options.collect?.selection
  const done = (status: HostStatus, reason: string | undefined, snapshot: Snapshot): HostOutcome => ({
    host,
    status,
    ...(reason ? {reason} : {}),
    // a host not collected records the sections it was asked for too
    snapshot: selection && !snapshot.meta.selection ? {...snapshot, meta: {...snapshot.meta, selection}} : snapshot,
    durationMs: Math.round(performance.now() - t0),
  })
  if (options.signal?.aborted) return done('interrupted', 'the sweep was interrupted before this host started', failedSnapshot(host, 'interrupted', 'interrupted', host.transport))
  let transport: Transport
  try {
    options.beforeConnect?.(host, watch.attempt)
    const c0 = performance.now()
    transport = await connect(host, options, known)
    if (transport.kind === 'ssh') watch.connected?.(performance.now() - c0)
  } catch (error) {
    const kind = error instanceof SshConnectError ? error.kind : 'error'
    const reason = (error as Error).message
    return done(kind, reason, failedSnapshot(host, kind, reason, host.transport))
  }
  try {
    const snapshot = await collectHost(transport, {...options.collect, parallelBatches: sweepBatches(options), hostName: host.name, commandTimeoutMs: commandTimeoutMs(host, options)})
    const judged = statusOfSnapshot(snapshot)
    const reason = [judged.reason, transport.degraded].filter(Boolean).join('; ') || undefined
    snapshot.host = hostInfo(host, judged.status, reason)
    return done(judged.status, reason, snapshot)
  } catch (error) {
    const reason = `collection failed: ${(error as Error).message}`
    return done('error', reason, failedSnapshot(host, 'error', reason, host.transport))
  } finally {
    await transport.close().catch(() => undefined)
  }
}

/** A host's outcome without its snapshot: what a sweep keeps in memory (snapshots go to onHostDone). */
export type HostResult = Omit<HostOutcome, 'snapshot'>

/** A host to collect a second time, its first outcome kept in case it never is. */
interface Retry {
  index: number
  first: HostOutcome
  why: string
  /** The limit when its first attempt started: the second waits for a lower one, or for the last hosts. */
  limitThen: number
  /** When it was put aside. */
  atMs: number
}

/** How long a retry waits for the saturation to pass before it goes anyway (a controller busy with other work). */
const RETRY_PATIENCE_MS = 10_000

/**
 * Collects every host, at most `concurrency` at a time. One host's failure never stops the others; an abort stops
 * starting new hosts and marks them interrupted, while hosts under way finish. Each snapshot is handed to
 * onHostDone and then let go, so memory stays flat however many hosts there are.
 *
 * Adaptive (the default): a host starts only while fewer are in flight than AdaptiveLimit allows, fed with how late
 * the event loop runs (LoopLag, read every 250 ms), each SSH handshake's time and what each snapshot measured of
 * its batches. A host that timed out while the sweep was saturated is collected once more, when the limit is lower
 * than when it first started or no other host waits, and once the sweep is no longer saturated (or after 10 s);
 * the second outcome is the host's, with `retried` saying why.
 */
export async function sweep(hosts: readonly HostSpec[], options: SweepOptions = {}): Promise<HostResult[]> {
  const known = new KnownHostsBook({acceptNew: options.acceptNew ?? false})
  const results: HostResult[] = new Array(hosts.length)
  const ceiling = Math.max(1, Math.min(options.concurrency ?? 50, hosts.length))
  const limiter = options.adaptive === false || hosts.length === 0 ? undefined : new AdaptiveLimit({ceiling, initial: startingLimit(ceiling, availableParallelism())}, performance.now())
  const lag = limiter && new LoopLag().start()
  const limit = () => limiter?.limit ?? ceiling
  const retries: Retry[] = []
  let next = 0
  let inFlight = 0
  let failed: unknown
  let finish!: () => void
  const finished = new Promise<void>((resolve) => (finish = resolve))

  const evaluate = () => {
    if (!limiter) return
    const now = performance.now()
    limiter.observeLag(now, lag!.read(now))
    const change = limiter.evaluate(now, {inFlight, waiting: hosts.length - next + retries.length})
    if (change) options.onLimit?.(change)
  }
  const done = (index: number, outcome: HostOutcome) => {
    options.onHostDone?.(outcome)
    const {snapshot: _dropped, ...result} = outcome
    results[index] = result
  }
  const start = (index: number, retry?: Retry) => {
    const host = hosts[index]!
    const admittedAt = performance.now()
    const limitThen = limit()
    inFlight++
    options.onHostStart?.(host)
    const connected = (ms: number) => limiter?.observe({kind: 'handshake', ms, timeoutMs: connectTimeoutMs(host, options), admittedAtMs: admittedAt})
    void sweepHost(host, options, known, {attempt: retry ? 2 : 1, connected})
      .then((outcome) => {
        inFlight--
        if (limiter) {
          const commandMs = commandTimeoutMs(host, options)
          const deadlineMs = batchDeadlineMs(commandMs, sweepBatches(options))
          for (const sample of latencySamples(outcome.snapshot.meta, {commandTimeoutMs: commandMs, deadlineMs}, admittedAt)) limiter.observe(sample)
          evaluate()
        }
        const decision = limiter && !options.signal?.aborted
          ? retryDecision({attempt: retry ? 2 : 1, timedOut: timedOutPart(outcome.status, outcome.snapshot), saturation: limiter.saturationSince(admittedAt)})
          : ({retry: false} as const)
        if (decision.retry) {
          retries.push({index, first: outcome, why: decision.why, limitThen, atMs: performance.now()})
          options.onHostRetry?.(host, decision.why)
        } else done(index, retry ? {...outcome, retried: `${retry.why}; collected again with at most ${plural(limitThen, 'host')} at once`} : outcome)
      })
      .catch((error: unknown) => {
        failed ??= error
      })
      .finally(pump)
  }
  /** Starts what the limit allows: a retry when its time has come, else the next host. */
  function pump() {
    if (options.signal?.aborted || failed) {
      // a host waiting for its second attempt keeps its first outcome
      try {
        for (const r of retries.splice(0)) done(r.index, r.first)
      } catch (error) {
        failed ??= error
      }
    }
    while (!failed && inFlight < limit()) {
      const last = next >= hosts.length
      const now = performance.now()
      const due = retries.findIndex((r) => (last || limit() < r.limitThen) && (!limiter?.isSaturated || now - r.atMs >= RETRY_PATIENCE_MS))
      if (due >= 0) {
        const [retry] = retries.splice(due, 1)
        start(retry!.index, retry)
      } else if (!last) start(next++)
      else break
    }
    if (inFlight === 0 && (failed || (next >= hosts.length && retries.length === 0))) finish()
  }

  const ticker = limiter
    ? setInterval(() => {
        evaluate()
        pump()
      }, 250)
    : undefined
  try {
    pump()
    await finished
  } finally {
    clearInterval(ticker)
    lag?.stop()
  }
  if (failed) throw failed
  return results
}
