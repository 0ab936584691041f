import {Document, isScalar, LineCounter, Schema} from 'yaml'

import type {LineColumn, YamlPositions} from './yaml-positions.js'

/**
 * The plain subset of YAML that hosts files and Ansible YAML inventories are written in, read about ten times
 * faster than the `yaml` library composes a Document: block maps of plain keys, block sequences, one-line flow maps
 * and sequences, plain and simple quoted scalars, comments. Anything else (anchors, aliases, tags, block scalars,
 * multi-line scalars or flows, explicit keys, directives, several documents, tabs, CR, duplicate keys, keys that are
 * not plain strings…) is refused: the caller then reads the text with the `yaml` library, which also says where
 * a mistake is. What it accepts it reads as `yaml` does (same data; scalars are resolved with `yaml`'s own core
 * schema), with the same positions (see test/unit/config/plain-yaml.test.ts, which compares both).
 */
export interface PlainYaml {
  data: unknown
  positions: YamlPositions
}

/** Thrown inside the reader for what it does not read; never escapes. */
class Refused extends Error {}
const refuse = (): never => {
  throw new Refused()
}

// Characters outside printable ASCII, Latin and the rest of the BMP below the surrogates (Vietnamese included):
// tabs, CR, controls, the byte order mark, line separators and astral characters are left to `yaml`.
const UNUSUAL = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/

const SPACE = 0x20
const NL = 0x0a
const HASH = 0x23
const COLON = 0x3a
const COMMA = 0x2c
const DASH = 0x2d
const LBRACE = 0x7b
const RBRACE = 0x7d
const LBRACKET = 0x5b
const RBRACKET = 0x5d
const DQUOTE = 0x22
const SQUOTE = 0x27

/** First characters of a plain scalar we read (YAML indicators and anything unusual are left to `yaml`). */
const isPlainStart = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x2f || c === 0x7e || c === 0x2b || c >= 0xa0
/** Characters of a plain key we read: what host and group names and setting keys are made of. */
const isKeyChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === DASH || c === 0x40 || c === 0x2f
const isKeyStart = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f

/** `yaml`'s own core schema (the default of YAML 1.2) and document options, to resolve plain scalars as it does. */
const SCHEMA = new Schema({})
const OPTIONS = new Document().options
const SCALAR_TAGS = SCHEMA.tags.filter((t) => t.default === true && 'test' in t && t.test instanceof RegExp && 'resolve' in t)
/** Plain scalars whose first character is none of these are strings in the core schema (no tag's test can match). */
const MAY_BE_TYPED = /^[-+.~0-9nNtTfF]/

/** A plain scalar's value, resolved as `yaml` resolves it with its core schema (null, bool, int, float, else str). */
function resolvePlain(source: string): unknown {
  if (source.length === 0) return null
  // nor has any of them two dots (10.0.0.1, host.example.org)
  if (!MAY_BE_TYPED.test(source) || source.indexOf('.') !== source.lastIndexOf('.')) return source
  for (const tag of SCALAR_TAGS) {
    if (!(tag.test as RegExp).test(source)) continue
    let failed = false
    const res = (tag as {resolve: (s: string, onError: (m: string) => void, o: typeof OPTIONS) => unknown}).resolve(source, () => (failed = true), OPTIONS)
    if (failed) return refuse()
    const value = isScalar(res) ? res.value : res
    return typeof value === 'bigint' ? refuse() : value
  }
  return source
}

/** Reads `text` if it is written in the plain subset; undefined otherwise (read it with `yaml`). */
export function readPlainYaml(text: string): PlainYaml | undefined {
  if (UNUSUAL.test(text)) return undefined
  try {
    return new Reader(text).read()
  } catch (error) {
    if (error instanceof Refused) return undefined
    throw error
  }
}

interface Frame {
  kind: 'map' | 'seq'
  indent: number
  data: Record<string, unknown> | unknown[]
  /** Its number in the tables of positions. */
  id: number
  /** A block sequence written at its key's own indentation (`key:` then `- item` below it, not indented). */
  atParentIndent?: boolean
  /** The last key of a map whose value is not on its line: a nested block, or null. */
  pending?: {key: string; offset: number}
}

/**
 * Where every node starts, in flat tables rather than an object per node (a big inventory has a million nodes:
 * objects would cost more in garbage collection than the reading itself). Collections are numbered; each has its
 * start and a chain of entries; an entry has its key's offset and its value: a scalar's offset (a null value in a
 * map: its key's, as `positionOf` reports it), or `-(n + 1)` for collection n.
 */
class Positions implements YamlPositions {
  readonly start = new Column()
  private readonly first = new Column()
  private readonly last = new Column()
  private readonly keyAt = new Column()
  private readonly value = new Column()
  private readonly next = new Column()
  private readonly index: (Map<string, number> | number[] | undefined)[] = []
  readonly lines = new LineCounter()
  data: unknown

  collection(start: number): number {
    this.first.push(-1)
    this.last.push(-1)
    return this.start.push(start)
  }

  entry(collection: number, keyAt: number, value: number): void {
    this.keyAt.push(keyAt)
    this.next.push(-1)
    const e = this.value.push(value)
    if (this.first.at(collection) === -1) this.first.set(collection, e)
    else this.next.set(this.last.at(collection), e)
    this.last.set(collection, e)
  }

  /** The entries of a collection, by key (a map: its keys are in insertion order, none looks like an index) or in order. */
  private entries(id: number, data: unknown): Map<string, number> | number[] {
    let index = this.index[id]
    if (index) return index
    const list: number[] = []
    for (let e = this.first.at(id); e !== -1; e = this.next.at(e)) list.push(e)
    if (Array.isArray(data)) index = list
    else {
      const keys = Object.keys(data as object)
      index = new Map(keys.map((k, i) => [k, list[i]!]))
    }
    this.index[id] = index
    return index
  }

  /** What `positionOf` finds in a `yaml` Document (yaml-positions.ts), found in these tables. */
  of(segments: readonly string[], options: {key?: boolean} = {}): LineColumn {
    const at = this.walk({id: 0, data: this.data, offset: this.start.at(0)}, segments, options.key === true)
    return this.lineColumn(at.offset)
  }

  /** The last parent asked for, with where its walk ended: the keys of one map are asked for one after another. */
  private lastParent?: {segments: readonly string[]; at: Step}

  keyOf(parent: readonly string[], key: string): LineColumn {
    if (this.lastParent?.segments !== parent) this.lastParent = {segments: parent, at: this.walk({id: 0, data: this.data, offset: this.start.at(0)}, parent, false)}
    const at = this.lastParent.at
    // a walk that stopped early (a missing key, a scalar) goes no further
    return this.lineColumn(at.complete ? this.walk(at, [key], true).offset : at.offset)
  }

  private lineColumn(offset: number): LineColumn {
    const {line, col} = this.lines.linePos(offset)
    return {line, column: col}
  }

  /** Follows `segments` from `from`, as positionOf does. */
  private walk(from: Step, segments: readonly string[], key: boolean): Step {
    let {id, data, offset} = from
    let i = 0
    for (; i < segments.length && id >= 0; i++) {
      const seg = segments[i]!
      const index = this.entries(id, data)
      const e = Array.isArray(index) ? index[Number(seg)] : index.get(seg)
      if (e === undefined) break
      const v = this.value.at(e)
      id = v < 0 ? -v - 1 : -1
      offset = !Array.isArray(index) && i === segments.length - 1 && key ? this.keyAt.at(e) : v < 0 ? this.start.at(id) : v
      data = (data as Record<string, unknown>)[seg]
    }
    return {id, data, offset, complete: i === segments.length && id >= 0}
  }
}

/** Where a walk through the tables is: a collection (-1: a scalar) with its data, and the offset found so far. */
interface Step {
  id: number
  data: unknown
  offset: number
  complete?: boolean
}

/** A growing list of 32-bit integers, outside the garbage-collected heap. */
class Column {
  private data = new Int32Array(1024)
  private length = 0

  /** Appends `value`; returns its index. */
  push(value: number): number {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length] = value
    return this.length++
  }

  at(i: number): number {
    return this.data[i]!
  }

  set(i: number, value: number): void {
    this.data[i] = value
  }
}

class Reader {
  private pos = 0
  private readonly stack: Frame[] = []
  private root?: Frame
  private readonly positions = new Positions()
  /** Set by the value readers: where the value read ends, and its entry in the tables (-1: a null scalar). */
  private end = 0
  private node = 0
  /** Keys seen, each kept once (`address` is written on 100,000 lines). */
  private readonly keys = new Map<string, string>()

  constructor(private readonly text: string) {}

  read(): PlainYaml {
    const {text} = this
    const len = text.length
    while (this.pos < len) {
      const lineStart = this.pos
      this.positions.lines.addNewLine(lineStart)
      let eol = text.indexOf('\n', lineStart)
      if (eol < 0) eol = len
      let i = lineStart
      while (text.charCodeAt(i) === SPACE) i++
      if (i < eol && text.charCodeAt(i) !== HASH) this.line(i - lineStart, i, eol)
      this.pos = eol + 1
    }
    if (!this.root) return refuse()
    this.closeDownTo(-1)
    this.positions.data = this.root.data
    return {data: this.root.data, positions: this.positions}
  }

  /** One line with content at `start` (after `indent` spaces), ending at `eol`. */
  private line(indent: number, start: number, eol: number): void {
    const {text} = this
    if (indent === 0 && (text.startsWith('---', start) || text.startsWith('...', start) || text.charCodeAt(start) === 0x25)) refuse()
    const isItem = text.charCodeAt(start) === DASH && (start + 1 === eol || text.charCodeAt(start + 1) === SPACE)
    if (!this.root) {
      if (isItem) refuse()
      this.root = this.open('map', indent, start)
      this.stack.push(this.root)
    }
    let top = this.stack.at(-1)!
    if (top.pending) {
      const opensValue = indent > top.indent || (indent === top.indent && isItem && top.kind === 'map')
      if (opensValue) {
        const {key, offset} = top.pending
        top.pending = undefined
        const frame = this.open(isItem ? 'seq' : 'map', indent, start)
        if (indent === top.indent) frame.atParentIndent = true
        this.store(top, key, offset, frame.data, -frame.id - 1)
        this.stack.push(frame)
        top = frame
      }
    }
    this.closeDownTo(indent)
    if (this.stack.length === 0) refuse() // less indented than the first line
    top = this.stack.at(-1)!
    if (top.atParentIndent && !isItem && top.indent === indent) {
      this.stack.pop()
      top = this.stack.at(-1)!
    }
    if (top.indent !== indent) refuse()
    if (isItem) {
      if (top.kind !== 'seq') refuse()
      const v = skipSpaces(text, start + 1)
      if (v >= eol || text.charCodeAt(v) === HASH) refuse()
      const value = this.blockValue(v, eol)
      this.endOfLine(this.end, eol)
      ;(top.data as unknown[]).push(value)
      this.positions.entry(top.id, v, this.node === -1 ? v : this.node)
      return
    }
    if (top.kind !== 'map') refuse()
    const key = this.key(start, eol)
    const afterKey = this.end
    if (text.charCodeAt(afterKey) !== COLON) refuse()
    let v = afterKey + 1
    if (v < eol && text.charCodeAt(v) !== SPACE) refuse()
    v = skipSpaces(text, v)
    if (v >= eol || text.charCodeAt(v) === HASH) {
      if (Object.hasOwn(top.data, key)) refuse()
      top.pending = {key, offset: start}
      return
    }
    const value = this.blockValue(v, eol)
    this.endOfLine(this.end, eol)
    this.store(top, key, start, value, this.node === -1 ? start : this.node)
  }

  private open(kind: 'map' | 'seq', indent: number, start: number): Frame {
    return {kind, indent, data: kind === 'map' ? hashedObject() : [], id: this.positions.collection(start)}
  }

  private store(frame: Frame, key: string, keyOffset: number, value: unknown, node: number): void {
    const data = frame.data as Record<string, unknown>
    if (Object.hasOwn(data, key)) refuse()
    data[key] = value
    this.positions.entry(frame.id, keyOffset, node)
  }

  /** Closes every block more indented than `indent`; a key left without a value there is null. */
  private closeDownTo(indent: number): void {
    for (let top = this.stack.at(-1); top && top.indent > indent; top = this.stack.at(-1)) {
      this.settlePending(top)
      this.stack.pop()
    }
    const top = this.stack.at(-1)
    if (top) this.settlePending(top)
  }

  private settlePending(frame: Frame): void {
    if (!frame.pending) return
    const {key, offset} = frame.pending
    frame.pending = undefined
    this.store(frame, key, offset, null, offset)
  }

  /** A plain key at `start` (sets `end`). */
  private key(start: number, eol: number): string {
    const {text} = this
    if (!isKeyStart(text.charCodeAt(start))) refuse()
    let i = start + 1
    while (i < eol && isKeyChar(text.charCodeAt(i))) i++
    this.end = i
    const source = text.slice(start, i)
    let key = this.keys.get(source)
    if (key === undefined) {
      // a key must read as a string (not 1, true, null…), and not one JavaScript objects treat apart
      if (i - start > 1000 || source === '__proto__' || typeof resolvePlain(source) !== 'string') refuse()
      // (the first 10,000 kept: setting keys come early; a host name is seldom written twice)
      if (this.keys.size < 10_000) this.keys.set(source, source)
      key = source
    }
    return key
  }

  /** A value after `key: ` or `- ` (sets `end` and `node`). */
  private blockValue(start: number, eol: number): unknown {
    const {text} = this
    const c = text.charCodeAt(start)
    if (c === LBRACE || c === LBRACKET) return this.flow(start, eol)
    if (c === DQUOTE || c === SQUOTE) return this.quoted(start, eol)
    if (!isPlainStart(c) && !(c === DASH && isDigitOrDot(text.charCodeAt(start + 1)))) refuse()
    // a plain scalar runs to the end of the line or to ` #`; `: ` inside it would be a nested map
    let end = start
    for (let i = start; i < eol; i++) {
      const ch = text.charCodeAt(i)
      if (ch === SPACE) {
        if (text.charCodeAt(i + 1) === HASH) break
      } else {
        if (ch === COLON && (i + 1 === eol || text.charCodeAt(i + 1) === SPACE)) refuse()
        end = i + 1
      }
    }
    const value = resolvePlain(text.slice(start, end))
    this.end = end
    this.node = value === null ? -1 : start
    return value
  }

  /** A quoted scalar on one line, without escapes: always a string, placed at its opening quote. */
  private quoted(start: number, eol: number): string {
    const {text} = this
    const q = text.charCodeAt(start)
    let i = start + 1
    let out = ''
    let from = i
    for (;;) {
      if (i >= eol) refuse()
      const ch = text.charCodeAt(i)
      if (q === DQUOTE && ch === 0x5c) refuse()
      if (ch === q) {
        if (q === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) {
          out += text.slice(from, i + 1)
          i += 2
          from = i
          continue
        }
        this.end = i + 1
        this.node = start
        return out + text.slice(from, i)
      }
      i++
    }
  }

  /** A one-line flow map or sequence starting at `start`. */
  private flow(start: number, eol: number): unknown {
    const {text} = this
    const isMap = text.charCodeAt(start) === LBRACE
    const close = isMap ? RBRACE : RBRACKET
    const id = this.positions.collection(start)
    const data: Record<string, unknown> | unknown[] = isMap ? {} : []
    let i = skipSpaces(text, start + 1)
    for (let first = true; ; first = false) {
      if (i >= eol) refuse()
      if (first && text.charCodeAt(i) === close) break
      if (isMap) {
        const keyAt = i
        const key = this.key(i, eol)
        const afterKey = this.end
        if (text.charCodeAt(afterKey) !== COLON || text.charCodeAt(afterKey + 1) !== SPACE) refuse()
        i = skipSpaces(text, afterKey + 2)
        const obj = data as Record<string, unknown>
        if (Object.hasOwn(obj, key)) refuse()
        const c = text.charCodeAt(i)
        if (c === COMMA || c === close) {
          obj[key] = null
          this.positions.entry(id, keyAt, keyAt)
        } else {
          obj[key] = this.flowValue(i, eol)
          this.positions.entry(id, keyAt, this.node === -1 ? keyAt : this.node)
          i = skipSpaces(text, this.end)
        }
      } else {
        const value = this.flowValue(i, eol)
        if (this.node === -1) refuse() // a null item: rare, left to yaml
        ;(data as unknown[]).push(value)
        this.positions.entry(id, i, this.node)
        i = skipSpaces(text, this.end)
      }
      const c = text.charCodeAt(i)
      if (c === close) break
      if (c !== COMMA) refuse()
      i = skipSpaces(text, i + 1)
      if (text.charCodeAt(i) === close || text.charCodeAt(i) === COMMA) refuse() // a trailing or empty entry
    }
    this.end = i + 1
    this.node = -id - 1
    return data
  }

  /** A value inside a flow collection: a nested flow, a quoted scalar, or a plain scalar up to `,` `]` `}`. */
  private flowValue(start: number, eol: number): unknown {
    const {text} = this
    const c = text.charCodeAt(start)
    if (c === LBRACE || c === LBRACKET) return this.flow(start, eol)
    if (c === DQUOTE || c === SQUOTE) return this.quoted(start, eol)
    if (!isPlainStart(c) && !(c === DASH && isDigitOrDot(text.charCodeAt(start + 1)))) refuse()
    let end = start
    for (let i = start; i < eol; i++) {
      const ch = text.charCodeAt(i)
      if (ch === COMMA || ch === RBRACE || ch === RBRACKET) break
      if (ch === COLON || ch === HASH || ch === LBRACE || ch === LBRACKET) refuse()
      if (ch !== SPACE) end = i + 1
    }
    const value = resolvePlain(text.slice(start, end))
    this.end = end
    this.node = value === null ? -1 : start
    return value
  }

  /** After a value: only spaces, then the end of the line or a comment. */
  private endOfLine(end: number, eol: number): void {
    const i = skipSpaces(this.text, end)
    if (i < eol && !(this.text.charCodeAt(i) === HASH && i > end)) refuse()
  }
}

/**
 * An empty object that V8 keeps as a hash table from the start. A block map may hold thousands of host names;
 * added one by one to an ordinary object, each would first make a hidden class of its own. Same object for
 * JavaScript (prototype, key order).
 */
function hashedObject(): Record<string, unknown> {
  const o: Record<string, unknown> = {a: 0, b: 0}
  delete o.a
  delete o.b
  return o
}

const isDigitOrDot = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2e
const skipSpaces = (text: string, i: number): number => {
  while (text.charCodeAt(i) === SPACE) i++
  return i
}
