import {describe, expect, it} from 'vitest'

import {AdaptiveLimit, LIMIT_POLICY, startingLimit, type LatencyKind} from '../../../src/collect/adaptive-limit.js'

type Samples = [LatencyKind, number, number][]

/** A sweep as the controller sees it: a clock, the event loop's lateness, latencies of hosts admitted in the last step. */
function sweepOf(options: ConstructorParameters<typeof AdaptiveLimit>[0]) {
  let now = 0
  const limiter = new AdaptiveLimit(options, now)
  let admittedAt = 0
  return {
    limiter,
    step(o: {lagMs?: number; samples?: Samples; admittedAt?: number; inFlight?: number; waiting?: number; ms?: number} = {}) {
      now += o.ms ?? 1000
      limiter.observeLag(now, o.lagMs ?? 20)
      for (const [kind, ms, timeoutMs] of o.samples ?? []) limiter.observe({kind, ms, timeoutMs, admittedAtMs: o.admittedAt ?? admittedAt})
      const change = limiter.evaluate(now, {inFlight: o.inFlight ?? limiter.limit, waiting: o.waiting ?? 100})
      admittedAt = now // the hosts admitted from here on run under the limit now in force
      return change
    },
    get now() {
      return now
    },
  }
}

const quick: Samples = [
  ['handshake', 50, 10_000],
  ['handshake', 60, 10_000],
  ['answer', 40, 10_000],
]
const handshakes = (ms: number, n = 3): Samples => Array.from({length: n}, () => ['handshake', ms, 10_000])

describe('AdaptiveLimit', () => {
  it('starts at twice the cores, at least 4, within the ceiling and the floor', () => {
    expect(startingLimit(50, 2)).toBe(4)
    expect(startingLimit(50, 8)).toBe(16)
    expect(startingLimit(3, 8)).toBe(3)
    expect(startingLimit(50, 1)).toBe(4)
    expect(new AdaptiveLimit({ceiling: 50, initial: 80}).limit).toBe(50)
    expect(new AdaptiveLimit({ceiling: 50, initial: 0, floor: 2}).limit).toBe(2)
  })

  it('doubles while healthy until the first cut, never above the ceiling', () => {
    const s = sweepOf({ceiling: 10, initial: 4})
    const seen = [1, 2, 3, 4].map(() => s.step({samples: quick})?.to)
    expect(seen).toEqual([8, 10, undefined, undefined])
    expect(s.limiter.limit).toBe(10)
  })

  it('raises only when the limit is what holds hosts back', () => {
    const s = sweepOf({ceiling: 50, initial: 4})
    expect(s.step({samples: quick, inFlight: 3})).toBeUndefined() // fewer in flight than allowed
    expect(s.step({samples: quick, waiting: 0})).toBeUndefined() // nothing waits
    expect(s.step({samples: quick})).toMatchObject({from: 4, to: 8})
  })

  it('raises only after holding the limit, on latencies of hosts admitted under it', () => {
    const s = sweepOf({ceiling: 50, initial: 4})
    expect(s.step({samples: quick, ms: LIMIT_POLICY.slowStartHoldMs - 1})).toBeUndefined()
    expect(s.step({ms: 1})).toMatchObject({from: 4, to: 8})
    expect(s.step({ms: LIMIT_POLICY.slowStartHoldMs})).toBeUndefined() // no host admitted under 8 has said anything yet
    expect(s.step({samples: [['handshake', 55, 10_000]], ms: LIMIT_POLICY.slowStartHoldMs})).toBeUndefined() // one sample is not evidence
    expect(s.step({samples: quick, ms: LIMIT_POLICY.slowStartHoldMs})).toMatchObject({from: 8, to: 16})
  })

  it('holds a limit longer once it has been cut: holdMs between one-host raises, slowStartHoldMs only while doubling', () => {
    expect(LIMIT_POLICY.slowStartHoldMs).toBeLessThan(LIMIT_POLICY.holdMs)
    const s = sweepOf({ceiling: 50, initial: 16})
    expect(s.step({lagMs: 800, ms: LIMIT_POLICY.slowStartHoldMs})).toMatchObject({from: 16, to: 8})
    expect(s.step({inFlight: 8, samples: quick, ms: LIMIT_POLICY.slowStartHoldMs})).toBeUndefined() // held 250 ms of 1000
    expect(s.step({inFlight: 8, samples: quick, ms: LIMIT_POLICY.holdMs - LIMIT_POLICY.slowStartHoldMs - 1})).toBeUndefined() // 999 ms
    expect(s.step({inFlight: 8, samples: quick, ms: 1})).toMatchObject({from: 8, to: 9})
  })

  it('halves when the event loop runs late, then adds one host at a time', () => {
    const s = sweepOf({ceiling: 50, initial: 16})
    s.step({samples: quick, waiting: 0})
    expect(s.step({lagMs: 800})).toEqual({from: 16, to: 8, reason: 'event loop 800 ms late'})
    expect(s.limiter.isSaturated).toBe(true)
    expect(s.step({inFlight: 16})).toBeUndefined() // the hosts admitted under 16 finish first
    expect(s.step({inFlight: 8, samples: quick})).toMatchObject({from: 8, to: 9})
    expect(s.limiter.isSaturated).toBe(false)
    expect(s.step({samples: quick})).toMatchObject({from: 9, to: 10})
  })

  it('cuts again only once the hosts in flight came down to the last cut', () => {
    const s = sweepOf({ceiling: 50, initial: 16})
    expect(s.step({lagMs: 900})?.to).toBe(8)
    expect(s.step({lagMs: 900, inFlight: 16})).toBeUndefined()
    expect(s.step({lagMs: 900, inFlight: 12})).toBeUndefined()
    expect(s.step({lagMs: 900, inFlight: 8})).toMatchObject({from: 8, to: 4})
  })

  it('never goes below the floor', () => {
    const one = sweepOf({ceiling: 50, initial: 3})
    expect([1, 2, 3].map(() => one.step({lagMs: 2000})?.to)).toEqual([1, undefined, undefined])
    expect(one.limiter.limit).toBe(1)
    const two = sweepOf({ceiling: 50, initial: 4, floor: 2})
    expect([1, 2, 3].map(() => two.step({lagMs: 2000})?.to)).toEqual([2, undefined, undefined])
  })

  it('never goes above the ceiling, however healthy', () => {
    const s = sweepOf({ceiling: 7, initial: 4})
    for (let i = 0; i < 20; i++) s.step({samples: quick})
    expect(s.limiter.limit).toBe(7)
  })

  it('cuts when a latency grew past 4× its baseline and a quarter of its timeout', () => {
    const s = sweepOf({ceiling: 50, initial: 8})
    s.step({samples: handshakes(100), waiting: 0}) // baseline 100 ms
    const cut = s.step({samples: handshakes(3000), waiting: 0})
    expect(cut).toEqual({from: 8, to: 4, reason: 'SSH handshakes 3.0 s, 30.0× their 100 ms baseline and 30 % of their timeout'})
  })

  it('neither cuts nor raises for latency that grew but stays far from its timeout (a slow network)', () => {
    const s = sweepOf({ceiling: 50, initial: 8})
    s.step({samples: handshakes(100), waiting: 0})
    for (let i = 0; i < 5; i++) expect(s.step({samples: handshakes(900)})).toBeUndefined()
    expect(s.limiter.limit).toBe(8)
    expect(s.limiter.isSaturated).toBe(false)
  })

  it('judges the limit on hosts admitted under it: latencies of hosts admitted before a change do not count', () => {
    const s = sweepOf({ceiling: 50, initial: 16})
    s.step({samples: handshakes(100), waiting: 0})
    const cutAt = s.now + 1000
    expect(s.step({lagMs: 900})?.to).toBe(8)
    // the hosts admitted under 16 end slowly, after the cut: that says nothing of 8
    expect(s.step({inFlight: 8, samples: handshakes(5000, 5), admittedAt: cutAt - 1})).toBeUndefined()
    expect(s.limiter.limit).toBe(8)
    expect(s.step({samples: handshakes(110)})).toMatchObject({from: 8, to: 9})
  })

  it('says why a time was saturated, for hosts that ran in it and not for those that came after', () => {
    const s = sweepOf({ceiling: 50, initial: 4})
    s.step({waiting: 0}) // 1000
    s.step({lagMs: 1500, waiting: 0}) // 2000
    expect(s.limiter.saturationSince(500)).toBe('event loop 1.5 s late')
    expect(s.limiter.saturationSince(2000)).toBe('event loop 1.5 s late')
    for (let i = 0; i < 5; i++) s.step({waiting: 0}) // the late sample leaves the window; the verdict is remembered
    expect(s.limiter.saturationSince(500)).toBe('event loop 1.5 s late')
    expect(s.limiter.saturationSince(2001)).toBeUndefined()
    expect(s.limiter.isSaturated).toBe(false)
  })
})
