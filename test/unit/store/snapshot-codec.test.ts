import {describe, expect, it} from 'vitest'

import {decodeSnapshot, encodeSnapshot, encodeSnapshotAsync} from '../../../src/store/snapshot-codec.js'
import {realSnapshot, viaJson} from './real-snapshot.js'

describe('a snapshot encoded for the store', () => {
  it('off the event loop (what a run writer stores) is what the synchronous encoder makes, byte for byte, and reads back whole', async () => {
    const snapshot = await realSnapshot()
    const encoded = await encodeSnapshotAsync(snapshot)
    expect(encoded).toEqual(encodeSnapshot(snapshot))
    expect(encoded.size).toBe(Buffer.byteLength(JSON.stringify(snapshot)))
    expect(encoded.body.length).toBeLessThan(encoded.size / 3)
    expect(decodeSnapshot(encoded.encoding, encoded.body)).toEqual(viaJson(snapshot))
  })
})
