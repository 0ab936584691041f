const WHITESPACE = new Set([' ', '\t', '\r', '\n'])

/**
 * Python's `shlex.split(text, comments)` (POSIX mode), which Ansible uses on INI host lines (comments on) and on
 * ssh arguments (`ansible_ssh_common_args`…, comments off): quotes group and are removed, a backslash escapes the
 * next character outside quotes and only `"` or `\` inside double quotes, `''` is an empty word, and with comments
 * a `#` ends the line, even inside a word. Throws an Error as shlex raises ValueError.
 */
export function shlexSplit(text: string, options: {comments?: boolean} = {}): string[] {
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
