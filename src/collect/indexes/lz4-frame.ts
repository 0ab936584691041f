/**
 * Decodes the LZ4 frame format (lz4(1), and apt's `.lz4` lists): magic, frame descriptor, blocks (compressed or
 * stored), end mark, optional checksums (not verified here: the caller checks the SHA-256 of the whole content).
 * Pure; throws a plain Error naming the offset of what it cannot read.
 */
const MAGIC = 0x184d2204
const SKIPPABLE = 0x184d2a50

export function decodeLz4Frames(input: Uint8Array): Buffer {
  const parts: Buffer[] = []
  let at = 0
  const u32 = (i: number) => (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24)) >>> 0
  while (at < input.length) {
    if (at + 4 > input.length) throw new Error(`lz4: truncated frame header at byte ${at}`)
    const magic = u32(at)
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE) {
      at += 8 + u32(at + 4)
      continue
    }
    if (magic !== MAGIC) throw new Error(`lz4: not an LZ4 frame at byte ${at}`)
    const flg = input[at + 4]!
    if (flg >> 6 !== 1) throw new Error(`lz4: unsupported frame version at byte ${at + 4}`)
    const blockChecksum = (flg & 0x10) !== 0
    const contentSize = (flg & 0x08) !== 0
    const contentChecksum = (flg & 0x04) !== 0
    const dictId = (flg & 0x01) !== 0
    if (dictId) throw new Error(`lz4: frames with a dictionary are not supported (byte ${at + 4})`)
    const bd = input[at + 5]!
    const maxBlock = 1 << (2 * ((bd >> 4) & 7) + 8)
    at += 6 + (contentSize ? 8 : 0) + 1 // header checksum byte
    // blocks of one frame may refer back to earlier blocks (linked mode): decode into one growing window
    let window = Buffer.allocUnsafe(Math.max(maxBlock, 65536) * 2)
    let length = 0
    for (;;) {
      if (at + 4 > input.length) throw new Error(`lz4: truncated block header at byte ${at}`)
      const size = u32(at)
      at += 4
      if (size === 0) break
      const stored = (size & 0x80000000) !== 0
      const n = size & 0x7fffffff
      if (at + n > input.length) throw new Error(`lz4: truncated block at byte ${at}`)
      if (length + maxBlock > window.length) {
        const grown = Buffer.allocUnsafe(Math.max(window.length * 2, length + maxBlock))
        window.copy(grown, 0, 0, length)
        window = grown
      }
      if (stored) {
        window.set(input.subarray(at, at + n), length)
        length += n
      } else length = decodeBlock(input, at, at + n, window, length)
      at += n + (blockChecksum ? 4 : 0)
    }
    if (contentChecksum) at += 4
    parts.push(window.subarray(0, length))
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/** One LZ4 block (sequences of literals and matches) appended to out at `pos`; returns the new end. */
function decodeBlock(src: Uint8Array, start: number, end: number, out: Buffer, pos: number): number {
  let i = start
  for (;;) {
    const token = src[i++]!
    let literals = token >> 4
    if (literals === 15) {
      let b: number
      do {
        b = src[i++]!
        literals += b
      } while (b === 255 && i < end)
    }
    if (i + literals > end || pos + literals > out.length) throw new Error(`lz4: literals run past the block at byte ${i}`)
    out.set(src.subarray(i, i + literals), pos)
    i += literals
    pos += literals
    if (i >= end) return pos // the last sequence has literals only
    const offset = src[i]! | (src[i + 1]! << 8)
    i += 2
    if (offset === 0 || offset > pos) throw new Error(`lz4: a match refers before the start at byte ${i - 2}`)
    let matchLength = (token & 15) + 4
    if ((token & 15) === 15) {
      let b: number
      do {
        b = src[i++]!
        matchLength += b
      } while (b === 255 && i < end)
    }
    if (pos + matchLength > out.length) throw new Error(`lz4: a match runs past the block's size at byte ${i}`)
    let from = pos - offset
    if (offset >= matchLength) {
      out.copyWithin(pos, from, from + matchLength)
      pos += matchLength
    } else {
      // overlapping copy: byte by byte repeats the pattern, as the format means
      for (let k = 0; k < matchLength; k++) out[pos++] = out[from++]!
    }
  }
}
