import {describe, expect, it} from 'vitest'

import {median} from '../../../src/model/median.js'
import {plural} from '../../../src/model/plural.js'

describe('plural and median', () => {
  it('plural: one, several, none, and an irregular plural', () => {
    expect([plural(1, 'host'), plural(3, 'host'), plural(0, 'section'), plural(2, 'command batch', 'command batches')]).toEqual(['1 host', '3 hosts', '0 sections', '2 command batches'])
  })

  it('median: the middle one, the mean of the two middle ones, whatever the order; the list is left as it was', () => {
    const xs = [9, 1, 5]
    expect(median(xs)).toBe(5)
    expect(xs).toEqual([9, 1, 5])
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7])).toBe(7)
  })
})
