import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {siPart} from '../../../src/collect/native/si-part.js'

const whole = createRequire(import.meta.url)('systeminformation') as Record<string, unknown>

describe('siPart', () => {
  it("gives every function the native collectors use from systeminformation's part that holds it, not the whole library", () => {
    const used = {cpu: ['cpu'], memory: ['mem', 'memLayout'], system: ['system', 'bios', 'baseboard', 'chassis'], filesystem: ['blockDevices', 'diskLayout']} as const
    for (const [part, names] of Object.entries(used)) {
      const mod = siPart(part, names as never) as Record<string, unknown>
      expect(mod, part).not.toBe(whole)
      for (const n of names) expect(typeof mod[n], `${part}.${n}`).toBe('function')
    }
  })

  it('falls back to the whole library where the part is not there or lacks the function', () => {
    expect(siPart('no-such-part', ['cpu'])).toBe(whole)
    expect(siPart('memory', ['cpu'])).toBe(whole)
  })
})
