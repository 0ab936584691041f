import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {readFileSync, readdirSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {decodeLz4Frames} from '../../../../src/collect/indexes/lz4-frame.js'

/** Compresses with the real lz4(1), with the given options. */
function lz4(input: Buffer, ...options: string[]): Buffer {
  const r = spawnSync('lz4', ['-c', '-q', ...options], {input, maxBuffer: 1 << 28})
  expect(r.status, r.stderr.toString()).toBe(0)
  return r.stdout
}

/** Text like a Packages list: repetitive, so matches overlap and refer far back. */
const text = Buffer.from(
  Array.from({length: 4000}, (_, i) => `Package: pkg-${i % 700}\nVersion: 1.${i}.0-${i % 7}\nArchitecture: ${i % 3 ? 'amd64' : 'all'}\nDescription: ${'x'.repeat(i % 90)}\n`).join('\n'),
)

describe('LZ4 frames as lz4(1) writes them', () => {
  const cases: [string, Buffer, string[]][] = [
    ['text, default options', text, []],
    ['text, dependent blocks of 64 KiB (matches across blocks)', text, ['-BD', '-B4']],
    ['text, block checksums, content size, no frame checksum', text, ['-BX', '--content-size', '--no-frame-crc']],
    ['text, highest level', text, ['-12']],
    ['random bytes (stored blocks)', randomBytes(300_000), []],
    ['a run of one byte (overlapping matches)', Buffer.alloc(200_000, 0x61), []],
    ['empty input', Buffer.alloc(0), []],
  ]
  for (const [name, input, options] of cases) {
    it(name, () => {
      expect(decodeLz4Frames(lz4(input, ...options)).equals(input)).toBe(true)
    })
  }

  it('two frames one after the other are one content', () => {
    const a = text.subarray(0, 50_000)
    const b = text.subarray(50_000)
    expect(decodeLz4Frames(Buffer.concat([lz4(a), lz4(b)])).equals(text)).toBe(true)
  })

  it('refuses what is not a whole LZ4 frame, saying where', () => {
    const whole = lz4(text)
    expect(() => decodeLz4Frames(whole.subarray(0, whole.length - 100))).toThrow(/lz4: truncated/)
    expect(() => decodeLz4Frames(Buffer.from('not lz4 at all'))).toThrow(/not an LZ4 frame at byte 0/)
  })

  it("reads apt's own .lz4 lists on this machine where there are some, as lz4cat does", () => {
    const lists = readdirSync('/var/lib/apt/lists').filter((f) => f.endsWith('.lz4'))
    for (const f of lists.slice(0, 2)) {
      const file = `/var/lib/apt/lists/${f}`
      const expected = spawnSync('lz4cat', [file], {maxBuffer: 1 << 28}).stdout
      expect(decodeLz4Frames(readFileSync(file)).equals(expected), f).toBe(true)
    }
  })
})
