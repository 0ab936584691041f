/**
 * The line of a JSON document where the value at a JSON Pointer starts (1 when it cannot be found), so an
 * error can say file:line. A small scanner over well-formed JSON: strings, objects and arrays.
 */
export function jsonPointerLine(text: string, pointer: string): number {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  let i = 0
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++
  }
  const skipString = () => {
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    i++
  }
  const readString = () => {
    const start = i
    skipString()
    return JSON.parse(text.slice(start, i)) as string
  }
  const skipValue = (): void => {
    ws()
    const c = text[i]
    if (c === '"') return skipString()
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      ws()
      if (text[i] === close) {
        i++
        return
      }
      for (;;) {
        ws()
        if (c === '{') {
          skipString()
          ws()
          i++ // :
        }
        skipValue()
        ws()
        if (text[i++] === close) return
      }
    }
    while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++
  }
  for (const seg of segments) {
    ws()
    const c = text[i]
    if (c !== '{' && c !== '[') break
    i++
    let found = false
    let index = 0
    for (;;) {
      ws()
      if (text[i] === '}' || text[i] === ']' || i >= text.length) break
      let key = String(index++)
      if (c === '{') {
        key = readString()
        ws()
        i++
      }
      ws()
      if (key === seg) {
        found = true
        break
      }
      skipValue()
      ws()
      if (text[i] === ',') i++
    }
    if (!found) break
  }
  return text.slice(0, i).split('\n').length
}
