import type {Why} from '../model/why.js'
import type {Lang} from './locale.js'
import {loadReasonBook, type ReasonBook} from './reason-book.js'

/** A piece of a rendered reason: words of the template or of a label, or a value (from a check or a host: data). */
export interface Piece {
  text: string
  value?: true
}

const PLACEHOLDER = /\{([A-Za-z0-9]+)\}/g

/** Fills `{name}` placeholders: a known name becomes its pieces, the words between stay words. */
function fill(text: string, lookup: (name: string) => Piece[] | undefined): Piece[] {
  const out: Piece[] = []
  let last = 0
  for (const m of text.matchAll(PLACEHOLDER)) {
    const got = lookup(m[1]!)
    if (!got) continue
    if (m.index > last) out.push({text: text.slice(last, m.index)})
    out.push(...got)
    last = m.index + m[0].length
  }
  if (last < text.length) out.push({text: text.slice(last)})
  return out
}

/** The captures of a field path against a label pattern (`*` one segment, final `**` the rest), or undefined. */
function matchPattern(segments: string[], pattern: string[]): Record<string, string> | undefined {
  const captures: Record<string, string> = {}
  let n = 0
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!
    if (p === '**' && i === pattern.length - 1) {
      if (i >= segments.length) return undefined
      captures.rest = segments.slice(i).join('.')
      return captures
    }
    const s = segments[i]
    if (s === undefined) return undefined
    if (p === '*' && !s.endsWith('[]')) captures[String(++n)] = s
    else if (p !== s) return undefined
  }
  return segments.length === pattern.length ? captures : undefined
}

/** A field's label in a language, as pieces (its captured segments and list item are values); the path itself when none. */
export function fieldPieces(field: string, item: string | undefined, lang: Lang, book: ReasonBook = loadReasonBook()): Piece[] {
  let texts = book.fields.get(field)
  let captures: Record<string, string> = {}
  if (!texts) {
    const segments = field.split('.')
    for (const p of book.patterns) {
      const c = matchPattern(segments, p.segments)
      if (c) {
        texts = p.texts
        captures = c
        break
      }
    }
  }
  if (!texts) return [{text: item === undefined ? field : `${field} (${item})`, value: true}]
  const label = texts[lang]
  const values: Record<string, string | undefined> = {...captures, item}
  // a label made for a list item, read without one (a rule over the whole list): the item's place stays empty
  const pieces = fill(label, (name) => (values[name] === undefined ? (name === 'item' ? [] : undefined) : [{text: values[name]!, value: true}]))
  if (item !== undefined && !label.includes('{item}')) pieces.push({text: ' '}, {text: item, value: true})
  return pieces
}

/** A reason in a language, as pieces; undefined when its template is unknown (the caller shows the English reason). */
export function whyPieces(why: Why, lang: Lang, book: ReasonBook = loadReasonBook()): Piece[] | undefined {
  if (why.of) {
    const parts = why.of.map((w) => whyPieces(w, lang, book))
    if (parts.some((x) => x === undefined)) return undefined
    return parts.flatMap((x, i) => (i === 0 ? x! : [{text: '; '}, ...x!]))
  }
  const template = book.templates.get(why.t)
  if (!template) return undefined
  const p = why.p ?? {}
  const item = typeof p.item === 'string' ? p.item : undefined
  return fill(template[lang], (name) => {
    const v = p[name]
    if (v === undefined) return undefined
    if (name.startsWith('field')) return fieldPieces(String(v), item, lang, book)
    return [{text: String(v), value: true}]
  })
}

/** A reason in a language as plain text; undefined when its template is unknown. */
export function whyText(why: Why | undefined, lang: Lang, book: ReasonBook = loadReasonBook()): string | undefined {
  if (!why) return undefined
  return whyPieces(why, lang, book)?.map((x) => x.text).join('')
}

/** The reason a reader sees: the why in their language, else the English machine form. */
export function readerReason(r: {reason?: string; why?: Why}, lang: Lang, book?: ReasonBook): string | undefined {
  return whyText(r.why, lang, book) ?? r.reason
}

/** A result's reason as pieces in a language: its why, else the English reason as one piece of words; undefined when it has none. */
export function reasonPieces(r: {reason?: string; why?: Why}, lang: Lang, book?: ReasonBook): Piece[] | undefined {
  return (r.why && whyPieces(r.why, lang, book)) || (r.reason === undefined ? undefined : [{text: r.reason}])
}

/** Pieces as HTML: words escaped, values escaped in <code class="v">. */
export function piecesHtml(pieces: readonly Piece[] | undefined, escape: (s: string) => string): string {
  return (pieces ?? []).map((x) => (x.value ? `<code class="v">${escape(x.text)}</code>` : escape(x.text))).join('')
}

/** The marks around a value in a reason handed to the report's script (which shows values as code); never in a value itself. */
export const VALUE_MARKS = ['\uE000', '\uE001'] as const
const MARKS = /[\uE000\uE001]/g

/** Pieces as one string for the report's script: values between VALUE_MARKS. */
export function piecesMarked(pieces: readonly Piece[] | undefined): string | undefined {
  if (!pieces) return undefined
  return pieces.map((x) => (x.value ? `${VALUE_MARKS[0]}${x.text.replace(MARKS, '')}${VALUE_MARKS[1]}` : x.text.replace(MARKS, ''))).join('')
}
