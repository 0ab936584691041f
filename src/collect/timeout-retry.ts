import type {HostStatus} from '../model/host-status.js'
import type {Snapshot} from '../model/snapshot.js'
import {plural} from '../model/plural.js'

/**
 * What of a host's collection ran out of time, in words, or undefined when nothing did: its connection (a host
 * `timeout` that ran no probe: TCP or the SSH handshake), sections whose commands were cut at their timeout, a
 * batch cut at its deadline.
 */
export function timedOutPart(status: HostStatus, snapshot: Pick<Snapshot, 'sections' | 'meta'>): string | undefined {
  if (status === 'timeout' && snapshot.meta.probes.length === 0) return 'the connection timed out'
  const sections = Object.values(snapshot.sections as Record<string, {status: string}>).filter((s) => s.status === 'timeout').length
  const batches = snapshot.meta.batches.filter((b) => /timed out/.test(b.failure ?? '')).length
  const parts = [sections ? `${plural(sections, 'section')} timed out` : '', batches === 1 ? 'a command batch hit its deadline' : batches ? `${batches} command batches hit their deadline` : '']
  return parts.filter(Boolean).join(', ') || undefined
}

export type RetryDecision = {retry: true; why: string} | {retry: false}

/**
 * Whether a host is collected a second time: only when something of it timed out (`timedOut`, from timedOutPart)
 * while the sweep was saturated (`saturation`: why, from AdaptiveLimit.saturationSince the host's start) — a timeout
 * the controller's own load may have caused — and only once (`attempt` 1). Any other failure is the host's own.
 */
export function retryDecision(input: {attempt: number; timedOut: string | undefined; saturation: string | undefined}): RetryDecision {
  if (input.attempt !== 1 || !input.timedOut || !input.saturation) return {retry: false}
  return {retry: true, why: `${input.timedOut} while the sweep was saturated (${input.saturation})`}
}
