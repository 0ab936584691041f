/** What JSON.stringify leaves out of an object and writes as null in a list. */
const unwritten = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol'

/**
 * `JSON.stringify(value, null, 1)` in pieces, the same text once joined: the fields of `value` and of its objects
 * and lists down to `depth` levels are written one by one, the values below each in one piece. A run's results
 * (hundreds of hosts, each with its packages) are then written a host's field at a time, never held as one string
 * of tens of MB (twice that in UTF-16, as the Vietnamese titles make it), each piece small enough to die young.
 * Pure; the pieces are made as they are asked for.
 */
export function* jsonPieces(value: unknown, depth = 2, level = 0): Generator<string> {
  if (depth > 0 && value !== null && typeof value === 'object' && typeof (value as {toJSON?: unknown}).toJSON !== 'function') {
    const pad = ' '.repeat(level)
    const inner = ' '.repeat(level + 1)
    if (Array.isArray(value)) {
      if (value.length === 0) {
        yield '[]'
        return
      }
      for (let i = 0; i < value.length; i++) {
        yield `${i === 0 ? '[' : ','}\n${inner}`
        const v: unknown = value[i]
        if (unwritten(v)) yield 'null'
        else yield* jsonPieces(v, depth - 1, level + 1)
      }
      yield `\n${pad}]`
      return
    }
    let first = true
    for (const [k, v] of Object.entries(value)) {
      if (unwritten(v)) continue
      yield `${first ? '{' : ','}\n${inner}${JSON.stringify(k)}: `
      first = false
      yield* jsonPieces(v, depth - 1, level + 1)
    }
    yield first ? '{}' : `\n${pad}}`
    return
  }
  const text = JSON.stringify(value, null, 1)
  // a string in JSON holds no line break of its own (it is written \n): every one is the layout's, indented one more per level
  yield level === 0 ? text : text.replaceAll('\n', `\n${' '.repeat(level)}`)
}
