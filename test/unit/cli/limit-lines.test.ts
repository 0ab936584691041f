import {describe, expect, it} from 'vitest'

import {LimitLines} from '../../../src/cli/sweep-progress.js'

describe('LimitLines', () => {
  it('says every cut, and a raise once it adds a quarter since the last line or reaches the ceiling', () => {
    const lines = new LimitLines(12)
    const say = (from: number, to: number) => lines.line({from, to, reason: 'why'})
    expect(say(4, 8)).toBe('hosts at once: 4 → 8 of at most 12 (healthy: why)')
    expect(say(8, 9)).toBeUndefined()
    expect(say(9, 10)).toBe('hosts at once: 8 → 10 of at most 12 (healthy: why)')
    expect(say(10, 5)).toBe('hosts at once: 10 → 5 of at most 12 (saturated: why)')
    expect(say(5, 6)).toBeUndefined()
    expect(say(6, 3)).toBe('hosts at once: 6 → 3 of at most 12 (saturated: why)')
    expect([say(3, 4), say(4, 5), say(5, 6)]).toEqual(['hosts at once: 3 → 4 of at most 12 (healthy: why)', 'hosts at once: 4 → 5 of at most 12 (healthy: why)', undefined])
    expect(say(6, 7)).toBe('hosts at once: 5 → 7 of at most 12 (healthy: why)')
    expect(say(11, 12)).toBe('hosts at once: 7 → 12 of at most 12 (healthy: why)')
  })
})
