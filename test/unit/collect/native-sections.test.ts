import {describe, expect, it} from 'vitest'

import {probes} from '../../../inventory/index.js'
import {nativeOptionOf, nativeSectionIds, nativeSectionsWanted} from '../../../src/collect/native/sections.js'

describe('which sections systeminformation reads on the local machine', () => {
  it('none on Linux by default: a probe reads each of them there', () => {
    expect(nativeSectionIds.length).toBeGreaterThan(0)
    for (const id of nativeSectionIds) expect(probes.some((p) => p.section.id === id && p.platforms.includes('Linux')), id).toBe(true)
    expect(nativeSectionsWanted(undefined, probes, 'linux')).toEqual([])
  })

  it('every one where no probe reads it (Windows), and those no probe reads on macOS', () => {
    expect(nativeSectionsWanted(undefined, probes, 'win32')).toEqual(nativeSectionIds)
    const darwin = nativeSectionIds.filter((id) => !probes.some((p) => p.section.id === id && p.platforms.includes('Darwin')))
    expect(nativeSectionsWanted(undefined, probes, 'darwin')).toEqual(darwin)
    // a probe for one of them on a platform takes that section from systeminformation there
    const [first, ...rest] = nativeSectionIds
    expect(nativeSectionsWanted(undefined, [{section: {id: first!}, platforms: ['FreeBSD']}], 'freebsd')).toEqual(rest)
  })

  it('--native: all of them everywhere; --no-native: none', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      expect(nativeSectionsWanted(true, probes, platform)).toEqual(nativeSectionIds)
      expect(nativeSectionsWanted(false, probes, platform)).toEqual([])
    }
  })

  it("collectHost's option: the loader of those sections, none where there are none", () => {
    expect(nativeOptionOf(false, probes)).toEqual({})
    expect(nativeOptionOf(true, probes)).toMatchObject({nativeLoader: {ids: nativeSectionIds}})
    expect(nativeOptionOf(undefined, probes)).toEqual(process.platform === 'linux' ? {} : {nativeLoader: expect.anything()})
  })
})
