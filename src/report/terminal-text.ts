/**
 * Text a host sent, made safe to print on a terminal, in a log line or in Markdown: every control character
 * (C0 but tab, DEL, C1 — ESC, BEL, CSI and OSC introducers among them) and every Unicode bidirectional
 * override is written as a visible escape (`\x1b`, `\x07`, `\u202e`), so no value can move the cursor, retitle
 * or clear the operator's terminal, or reorder what is shown. Printable text, Vietnamese included, is kept as
 * is. JSON output keeps the raw value: only what is displayed goes through here.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_NEWLINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

function escapeChar(c: string): string {
  const code = c.charCodeAt(0)
  if (c === '\n') return '\\n'
  if (c === '\r') return '\\r'
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** One line of safe text: newlines are escaped too. */
export function terminalText(value: unknown): string {
  return String(value ?? '').replace(UNSAFE, escapeChar)
}

/** Safe text that may span lines: `\n` is kept, every other control character is escaped. */
export function terminalLines(value: unknown): string {
  return String(value ?? '').replace(UNSAFE_KEEP_NEWLINES, escapeChar)
}

/** A copy of a value (a snapshot, a diff) with every string in it made one line of safe text: for renderers that print many fields. */
export function terminalSafe<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T
  if (Array.isArray(value)) return value.map((v: unknown) => terminalSafe(v)) as T
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [terminalText(k), terminalSafe(v)])) as T
  return value
}
