const WHITESPACE = new Set([' ', '\t', '\r', '\n'])
const SPECIAL = /["'\\#]/

/** The words of a text with no quote, backslash or `#` (an INI host line, 100,000 times in a big inventory). */
function splitOnWhitespace(text: string): string[] {
  const out: string[] = []
  let start = -1
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i)
    const space = i === text.length || c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
    if (space) {
      if (start >= 0) out.push(text.slice(start, i))
      start = -1
    } else if (start < 0) start = i
  }
  return out
}

/**
 * Python's `shlex.split(text, comments)` (POSIX mode), which Ansible uses on INI host lines (comments on) and on
 * ssh arguments (`ansible_ssh_common_args`…, comments off): quotes group and are removed, a backslash escapes the
 * next character outside quotes and only `"` or `\` inside double quotes, `''` is an empty word, and with comments
 * a `#` ends the line, even inside a word. Throws an Error as shlex raises ValueError.
 */
export function shlexSplit(text: string, options: {comments?: boolean} = {}): string[] {
  if (!SPECIAL.test(text)) return splitOnWhitespace(text) // no quote, escape or comment: words between whitespace
  const out: string[] = []
  let token = ''
  let quoted = false
  let state: 'space' | 'word' | '"' | "'" = 'space'
  /** Set while the character after a backslash is awaited: the state to return to. */
  let escapedFrom: 'word' | '"' | undefined
  const emit = () => {
    if (token || quoted) out.push(token)
    token = ''
    quoted = false
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (escapedFrom) {
      // inside double quotes a backslash stays unless it escapes the quote or itself
      if (escapedFrom === '"' && c !== '"' && c !== '\\') token += '\\'
      token += c
      state = escapedFrom
      escapedFrom = undefined
      continue
    }
    if (state === '"' || state === "'") {
      quoted = true
      if (c === state) state = 'word'
      else if (c === '\\' && state === '"') escapedFrom = '"'
      else token += c
      continue
    }
    if (WHITESPACE.has(c)) {
      if (state === 'word') emit()
      state = 'space'
    } else if (options.comments && c === '#') {
      const eol = text.indexOf('\n', i)
      if (state === 'word') emit()
      state = 'space'
      if (eol < 0) break
      i = eol
    } else if (c === '"' || c === "'") {
      state = c
    } else if (c === '\\') {
      escapedFrom = 'word'
    } else {
      token += c
      state = 'word'
    }
  }
  if (escapedFrom) throw new Error('has a backslash with nothing after it')
  if (state === '"' || state === "'") throw new Error('has an unclosed quote')
  if (state === 'word') emit()
  return out
}
