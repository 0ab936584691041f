import os from 'node:os'
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
import {collectHost, type CollectOptions} from './collect-host.js'
import {TOOL_NAME, TOOL_VERSION} from '../model/tool-version.js'

export interface HostOutcome {
  host: HostSpec
  status: HostStatus
  reason?: string
  snapshot: Snapshot
  durationMs: number
}

export interface SweepOptions {
  concurrency?: number
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
      connectTimeoutMs: (host.connectTimeoutS ?? options.connectTimeoutS ?? 10) * 1000,
      maxChannels: Math.min(10, options.maxChannels ?? 8),
      ...(options.secrets ? {secrets: options.secrets} : {}),
    },
    host.name,
  )
}

/** Collects one host and never throws: a failure is an outcome with its status and reason. */
export async function sweepHost(host: HostSpec, options: SweepOptions, known = new KnownHostsBook({acceptNew: options.acceptNew ?? false})): Promise<HostOutcome> {
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
    transport = await connect(host, options, known)
  } catch (error) {
    const kind = error instanceof SshConnectError ? error.kind : 'error'
    const reason = (error as Error).message
    return done(kind, reason, failedSnapshot(host, kind, reason, host.transport))
  }
  try {
    const commandTimeoutMs = (host.commandTimeoutS ?? options.commandTimeoutS ?? 10) * 1000
    const snapshot = await collectHost(transport, {...options.collect, hostName: host.name, commandTimeoutMs})
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

/**
 * Collects every host, `concurrency` at a time. One host's failure never stops the others; an abort stops
 * starting new hosts and marks them interrupted, while hosts under way finish. Each snapshot is handed to
 * onHostDone and then let go, so memory stays flat however many hosts there are.
 */
export async function sweep(hosts: readonly HostSpec[], options: SweepOptions = {}): Promise<HostResult[]> {
  const known = new KnownHostsBook({acceptNew: options.acceptNew ?? false})
  const results: HostResult[] = new Array(hosts.length)
  let next = 0
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= hosts.length) return
      const host = hosts[i]!
      options.onHostStart?.(host)
      const outcome = await sweepHost(host, options, known)
      options.onHostDone?.(outcome)
      const {snapshot: _dropped, ...result} = outcome
      results[i] = result
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency ?? 50, hosts.length))
  await Promise.all(Array.from({length: workers}, worker))
  return results
}
