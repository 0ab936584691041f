import {isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap} from 'yaml'

export interface LineColumn {
  line: number
  column: number
}

/** Where the node a JSON Pointer names is written (with `key`: its key), as `positionOf` finds it. */
export interface YamlPositions {
  of(segments: readonly string[], options?: {key?: boolean}): LineColumn
  /** `of([...parent, key], {key: true})`, for many keys of one map. */
  keyOf(parent: readonly string[], key: string): LineColumn
}

/** The positions of a `yaml` Document. */
export function documentPositions(doc: Document, counter: LineCounter): YamlPositions {
  return {of: (segments, options) => positionOf(doc, counter, segments, options), keyOf: (parent, key) => positionOf(doc, counter, [...parent, key], {key: true})}
}

/** Splits a JSON Pointer (`/groups/web/hosts/web02/port`) into its segments. */
export function pointerSegments(pointer: string): string[] {
  if (!pointer) return []
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Builds a JSON Pointer from segments. */
export function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

/**
 * Each map's pairs by key, built the first time a key of that map is looked up, so that finding the positions of
 * all N entries of a map costs N, not N² (a hosts file of 100,000 hosts asks for each of them). The first pair
 * of a key wins, as a linear search would find it. Documents are not changed after parsing.
 */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>()

function pairOf(node: unknown, key: string): Pair | undefined {
  if (!isMap(node)) return undefined
  let index = pairIndex.get(node)
  if (!index) {
    index = new Map()
    for (const p of node.items) {
      if (!isPair(p)) continue
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key)
      if (!index.has(k)) index.set(k, p)
    }
    pairIndex.set(node, index)
  }
  return index.get(key)
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range
  return range ? range[0] : undefined
}

/**
 * The line and column of the node a JSON Pointer names; with `key`, of its key in the parent map
 * (for "unknown key" errors). Falls back to the deepest node that exists.
 */
export function positionOf(doc: Document, counter: LineCounter, segments: readonly string[], options: {key?: boolean} = {}): LineColumn {
  let node: unknown = doc.contents
  let offset = offsetOf(node) ?? 0
  segments.forEach((seg, i) => {
    if (node === undefined) return
    const last = i === segments.length - 1
    if (isMap(node)) {
      const pair = pairOf(node, seg)
      if (!pair) {
        node = undefined
        return
      }
      const keyOffset = offsetOf(pair.key)
      const valueOffset = offsetOf(pair.value)
      offset = (last && options.key) || valueOffset === undefined || (isScalar(pair.value) && pair.value.value === null) ? (keyOffset ?? offset) : valueOffset
      node = pair.value ?? undefined
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)]
      offset = offsetOf(item) ?? offset
      node = item
    } else node = undefined
  })
  const {line, col} = counter.linePos(offset)
  return {line, column: col}
}
