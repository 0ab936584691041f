import {median} from '../model/median.js'

/**
 * How many hosts a sweep collects at once, decided from what the sweep measures of itself. Pure: samples and the
 * time come in, the limit goes out; no clock, no timer.
 *
 * AIMD, as TCP does for packets in flight:
 * - **Start** at `startingLimit` (twice the controller's cores, at least 4, never above the ceiling) and double
 *   while healthy (slow start) until the first cut; after it, add one host at a time.
 * - **Cut** by half (never below the floor) when saturated, and cut again only once the hosts in flight have come
 *   down to the new limit (a cut shows its effect only then: the hosts under way are never stopped).
 * - **Saturated** when the event loop was late by `lagHighMs` or more in the last `lagWindowMs`, or when a kind of
 *   latency (SSH handshakes, the first answer of a command batch, whole batches) has, over its last
 *   `recentSamples` samples from hosts admitted under the current limit, a median at least `slowRatio` times its
 *   baseline *and* at least `slowShare` of the timeout it runs under. The second condition keeps a slow network or
 *   a heavy host (latency that concurrency did not cause, and far from any timeout) from cutting anything.
 * - **Healthy** (room to raise) when the event loop stayed under `lagLowMs` since the limit settled, at least
 *   `minSamples` latencies came from hosts admitted under the current limit, each kind's median is within
 *   `fastRatio` of its baseline (or under `fastShare` of its timeout and below `slowRatio` of its baseline), the
 *   limit held for `holdMs` (`slowStartHoldMs` in slow start: the healthy latencies of hosts admitted under the
 *   limit are already the evidence, and each second at 4 hosts is a second of the controller's cores left idle), and
 *   the limit is what holds hosts back (as many in flight as it allows, and hosts waiting). Between healthy and
 *   saturated, the limit holds: latency that grew a lot but is far from its timeout (a slow network) neither raises
 *   nor cuts it.
 * - A kind's **baseline** is the median of its first `baselineSamples` samples: the first hosts, at the starting
 *   limit.
 */

export type LatencyKind = 'handshake' | 'answer' | 'batch'

/** One measured wait of one host. */
export interface LatencySample {
  kind: LatencyKind
  ms: number
  /** The timeout the wait ran under: the connect timeout, the command timeout, the batch deadline. */
  timeoutMs: number
  /** When the host it came from was admitted (the clock `evaluate` is given). */
  admittedAtMs: number
}

export interface LimitChange {
  from: number
  to: number
  /** Why, in words: `event loop 1.2 s late`. */
  reason: string
}

/** What the sweep has under way and what waits to start. */
export interface SweepLoad {
  inFlight: number
  waiting: number
}

export const LIMIT_POLICY = {
  lagHighMs: 500,
  lagLowMs: 200,
  lagWindowMs: 2000,
  baselineSamples: 3,
  recentSamples: 5,
  minSamples: 2,
  slowRatio: 4,
  slowShare: 0.25,
  fastRatio: 2,
  fastShare: 0.1,
  holdMs: 1000,
  slowStartHoldMs: 250,
  cut: 0.5,
}

export type LimitPolicy = typeof LIMIT_POLICY

export interface AdaptiveLimitOptions {
  /** `--concurrency`: never above it. */
  ceiling: number
  /** Never below it (default 1). */
  floor?: number
  /** Where to start (default `startingLimit(ceiling, 2)`). */
  initial?: number
  policy?: Partial<LimitPolicy>
}

/** The limit a sweep starts at: twice the controller's cores, at least 4, within the ceiling. */
export function startingLimit(ceiling: number, cores: number): number {
  return Math.max(1, Math.min(ceiling, Math.max(4, 2 * cores)))
}

const KIND_LABEL: Record<LatencyKind, string> = {handshake: 'SSH handshakes', answer: 'first answers of command batches', batch: 'command batches'}

export const formatMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`)

interface KindState {
  first: number[]
  baseline?: number
  recent: LatencySample[]
}

type Verdict = {state: 'saturated'; reason: string; atMs?: number} | {state: 'healthy'; reason: string} | {state: 'steady'}

export class AdaptiveLimit {
  readonly ceiling: number
  readonly floor: number
  private current: number
  private readonly policy: LimitPolicy
  private slowStart = true
  private changedAtMs: number
  /** When the hosts in flight came down to (or under) the limit after the last change; undefined until then. */
  private settledAtMs: number | undefined
  private lags: {atMs: number; ms: number}[] = []
  private readonly kinds = new Map<LatencyKind, KindState>()
  private saturated: {atMs: number; reason: string} | undefined
  private saturatedNow = false

  constructor(options: AdaptiveLimitOptions, nowMs = 0) {
    this.policy = {...LIMIT_POLICY, ...options.policy}
    this.ceiling = Math.max(1, Math.floor(options.ceiling))
    this.floor = Math.max(1, Math.min(this.ceiling, Math.floor(options.floor ?? 1)))
    this.current = Math.max(this.floor, Math.min(this.ceiling, Math.floor(options.initial ?? startingLimit(this.ceiling, 2))))
    this.changedAtMs = nowMs
    this.settledAtMs = nowMs
  }

  get limit(): number {
    return this.current
  }

  /** True when the last evaluation found the controller or the targets saturated. */
  get isSaturated(): boolean {
    return this.saturatedNow
  }

  /** How late the event loop was, as measured at `atMs`. */
  observeLag(atMs: number, ms: number): void {
    this.lags.push({atMs, ms: Math.max(0, ms)})
    const keepFrom = atMs - this.policy.lagWindowMs
    if (this.lags.length > 64 || this.lags[0]!.atMs < keepFrom) this.lags = this.lags.filter((l) => l.atMs >= keepFrom).slice(-64)
  }

  observe(sample: LatencySample): void {
    if (!(sample.ms >= 0) || !(sample.timeoutMs > 0)) return
    let k = this.kinds.get(sample.kind)
    if (!k) this.kinds.set(sample.kind, (k = {first: [], recent: []}))
    if (k.baseline === undefined) {
      k.first.push(sample.ms)
      if (k.first.length >= this.policy.baselineSamples) k.baseline = Math.max(1, median(k.first))
    }
    if (sample.admittedAtMs >= this.changedAtMs) k.recent = [...k.recent, sample].slice(-this.policy.recentSamples)
  }

  /**
   * Why the sweep was found saturated at some time from `sinceMs` on (an evaluation said so, or the event loop was
   * late by `lagHighMs` in a sample taken since), or undefined: what makes a timeout in that time self-inflicted.
   */
  saturationSince(sinceMs: number): string | undefined {
    const late = this.lags.filter((l) => l.atMs >= sinceMs && l.ms >= this.policy.lagHighMs)
    if (late.length > 0) return `event loop ${formatMs(Math.max(...late.map((l) => l.ms)))} late`
    return this.saturated && this.saturated.atMs >= sinceMs ? this.saturated.reason : undefined
  }

  /** Decides on the limit now; returns the change when there is one. */
  evaluate(nowMs: number, load: SweepLoad): LimitChange | undefined {
    if (this.settledAtMs === undefined && load.inFlight <= this.current) this.settledAtMs = nowMs
    const recent = this.lags.filter((l) => l.atMs > nowMs - this.policy.lagWindowMs)
    // anything measured in the window marks the time as saturated (a timeout in it was ours)…
    const seen = this.verdict(recent)
    this.saturatedNow = seen.state === 'saturated'
    if (seen.state === 'saturated') this.saturated = {atMs: seen.atMs ?? nowMs, reason: seen.reason}
    // …but the limit moves only on what was measured since the hosts in flight came down to it
    if (this.settledAtMs === undefined) return undefined
    const settled = this.settledAtMs
    const verdict = this.verdict(recent.filter((l) => l.atMs >= settled))
    if (verdict.state === 'saturated') {
      if (this.current <= this.floor) return undefined
      this.slowStart = false
      return this.change(nowMs, Math.max(this.floor, Math.floor(this.current * this.policy.cut)), verdict.reason)
    }
    const holdMs = this.slowStart ? this.policy.slowStartHoldMs : this.policy.holdMs
    if (verdict.state === 'healthy' && this.current < this.ceiling && load.inFlight >= this.current && load.waiting > 0 && nowMs - this.changedAtMs >= holdMs) {
      return this.change(nowMs, Math.min(this.ceiling, this.slowStart ? this.current * 2 : this.current + 1), verdict.reason)
    }
    return undefined
  }

  private change(nowMs: number, to: number, reason: string): LimitChange | undefined {
    const from = this.current
    if (to === from) return undefined
    this.current = to
    this.changedAtMs = nowMs
    this.settledAtMs = undefined
    // what was measured of hosts admitted before says nothing of the new limit
    for (const k of this.kinds.values()) k.recent = []
    return {from, to, reason}
  }

  /** Saturated, healthy or neither, from these event-loop samples and the latencies of hosts admitted under the limit. */
  private verdict(lags: readonly {atMs: number; ms: number}[]): Verdict {
    const p = this.policy
    const worstLag = lags.length ? Math.max(...lags.map((l) => l.ms)) : undefined
    if (worstLag !== undefined && worstLag >= p.lagHighMs) {
      // saturated when the loop was late, not for as long as the window remembers it
      return {state: 'saturated', reason: `event loop ${formatMs(worstLag)} late`, atMs: Math.max(...lags.filter((l) => l.ms >= p.lagHighMs).map((l) => l.atMs))}
    }
    let fresh = 0
    let allFast = true
    const notes: string[] = []
    for (const [kind, k] of this.kinds) {
      if (k.recent.length === 0) continue
      fresh += k.recent.length
      const ms = median(k.recent.map((s) => s.ms))
      const share = median(k.recent.map((s) => s.ms / s.timeoutMs))
      const ratio = k.baseline === undefined ? 1 : ms / k.baseline
      if (k.recent.length >= p.minSamples && ratio >= p.slowRatio && share >= p.slowShare) {
        return {state: 'saturated', reason: `${KIND_LABEL[kind]} ${formatMs(ms)}, ${ratio.toFixed(1)}× their ${formatMs(k.baseline!)} baseline and ${Math.round(share * 100)} % of their timeout`}
      }
      // far from its timeout is fast enough, unless it has grown as much as saturation would need
      if (!(ratio <= p.fastRatio || (share <= p.fastShare && ratio < p.slowRatio))) allFast = false
      notes.push(`${KIND_LABEL[kind]} ${formatMs(ms)}`)
    }
    if (worstLag !== undefined && worstLag < p.lagLowMs && fresh >= p.minSamples && allFast) {
      return {state: 'healthy', reason: `event loop at most ${formatMs(worstLag)} late, ${notes.join(', ')}`}
    }
    return {state: 'steady'}
  }
}
