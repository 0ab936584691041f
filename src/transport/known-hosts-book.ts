import os from 'node:os'

import {acceptNewAllowed, matchingEntries, parseKnownHosts, preferredHostKeyAlgorithms, verifyHostKey, type KnownHostsEntry} from './known-hosts.js'
import {appendKnownHost, KnownHostsWriteError, readKnownHosts} from './known-hosts-file.js'
import {describeHostKeyVerdict, describeUnrecordedKey, type VerdictMessageContext} from './known-hosts-messages.js'
import type {HostKeyDecision, HostKeyVerifier} from './ssh-transport.js'

export interface KnownHostsBookOptions {
  /** Record host keys of hosts seen for the first time (like StrictHostKeyChecking=accept-new). */
  acceptNew?: boolean
  /** Home folder, for `~/…` in the commands a message prints. */
  home?: string
}

/** What a connection to one host needs: the verifier of its host keys and the key algorithms to ask for. */
export interface HostKeyPolicy {
  verify: HostKeyVerifier
  algorithms: (host: string, port: number) => string[]
}

/**
 * The known_hosts files of one sweep: each set read once and shared by the hosts that use it, host keys
 * judged against them, and with `--accept-new` first-seen keys recorded in the set's first file (as OpenSSH
 * records into the first UserKnownHostsFile). A key is trusted only once it is on file: when the file cannot be
 * written the host is refused, saying which file and why. Keys recorded during the sweep count for the hosts
 * after, so another alias of the same host:port presenting another key is refused as changed.
 */
export class KnownHostsBook {
  private readonly sets = new Map<string, Promise<KnownHostsEntry[]>>()
  /** Recording into one file, one key at a time: each decides after the one before is on file. */
  private readonly queues = new Map<string, Promise<unknown>>()

  constructor(private readonly options: KnownHostsBookOptions = {}) {}

  /** The policy for a host whose keys are in `files` (in order; the first receives accepted keys). */
  async policy(files: readonly string[]): Promise<HostKeyPolicy> {
    const entries = await this.entries(files)
    const context = (host: string, port: number): VerdictMessageContext => ({host, port, knownHostsFile: files[0]!, lookedUpIn: files, home: this.options.home ?? os.homedir()})
    const matched = this.matcher(entries)
    const verify: HostKeyVerifier = async (host, port, key) => {
      const verdict = verifyHostKey(entries, {host, port}, {blob: key.blob}, matched(host, port))
      if (verdict.status === 'trusted') return {ok: true}
      if (this.options.acceptNew && acceptNewAllowed(verdict)) return this.record(files[0]!, entries, host, port, key.blob, context(host, port))
      return refuse(verdict.status === 'unknown' ? 'host-key-unknown' : 'host-key-changed', describeHostKeyVerdict(verdict, context(host, port)))
    }
    return {verify, algorithms: (host, port) => preferredHostKeyAlgorithms(entries, {host, port}, undefined, matched(host, port))}
  }

  /**
   * The entries filed under a host, looked up once for both the key algorithms it is offered and the verdict on its
   * key: an answer is kept while the set has not grown (a key recorded adds entries). A policy serves one connection
   * (its host and any jump hosts before it), so it keeps only a few.
   */
  private matcher(entries: KnownHostsEntry[]): (host: string, port: number) => KnownHostsEntry[] {
    const kept = new Map<string, {length: number; matched: KnownHostsEntry[]}>()
    return (host, port) => {
      const key = `${port} ${host}`
      const hit = kept.get(key)
      if (hit?.length === entries.length) return hit.matched
      const matched = matchingEntries(entries, {host, port})
      kept.set(key, {length: entries.length, matched})
      return matched
    }
  }

  private entries(files: readonly string[]): Promise<KnownHostsEntry[]> {
    const key = files.join('\0')
    let set = this.sets.get(key)
    if (!set) {
      set = readKnownHosts(files).then((k) => k.entries)
      this.sets.set(key, set)
    }
    return set
  }

  /** Records a first-seen key, then trusts it; refuses it when it cannot be recorded. */
  private record(file: string, entries: KnownHostsEntry[], host: string, port: number, blob: Buffer, ctx: VerdictMessageContext): Promise<HostKeyDecision> {
    const run = async (): Promise<HostKeyDecision> => {
      // judged again: a host recorded while this one waited may have put a key on file for the same name
      const verdict = verifyHostKey(entries, {host, port}, {blob})
      if (verdict.status === 'trusted') return {ok: true}
      if (verdict.status !== 'unknown' || !acceptNewAllowed(verdict)) {
        return refuse(verdict.status === 'unknown' ? 'host-key-unknown' : 'host-key-changed', describeHostKeyVerdict(verdict, ctx))
      }
      try {
        const written = await appendKnownHost(file, host, port, {blob}, {comment: `added by hatang ${new Date().toISOString().slice(0, 10)}`})
        entries.push(...parseKnownHosts(`${'\n'.repeat(written.lineNumber - 1)}${written.line}\n`, file).entries)
        return {ok: true}
      } catch (error) {
        const failure = error instanceof KnownHostsWriteError ? {file: error.file, why: error.why} : {file, why: (error as Error).message}
        return refuse('host-key-unknown', describeUnrecordedKey(verdict, ctx, failure))
      }
    }
    const next = (this.queues.get(file) ?? Promise.resolve()).then(run, run)
    this.queues.set(file, next)
    return next
  }
}

function refuse(kind: 'host-key-unknown' | 'host-key-changed', message: string): HostKeyDecision {
  return {ok: false, kind, message}
}
