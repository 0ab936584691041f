const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/**
 * Expands an Ansible host range as Ansible does: `web[01:20]` (zero-padded when the start is),
 * `db-[a:f]`, `n[1:9:2]` (step), several ranges in one name. Throws an Error on a malformed range.
 */
export function expandHostRange(name: string): string[] {
  const open = name.indexOf('[')
  if (open < 0) return [name]
  const close = name.indexOf(']', open)
  if (close < 0) throw new Error(`has an unclosed '[' in '${name}'`)
  const head = name.slice(0, open)
  const tail = name.slice(close + 1)
  const bounds = name.slice(open + 1, close).split(':')
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error(`has a range that is not begin:end or begin:end:step in '${name}'`)
  const beg = bounds[0] || '0'
  const end = bounds[1] ?? ''
  const step = bounds.length === 3 ? Number(bounds[2]) : 1
  if (!end) throw new Error(`has a range without an end in '${name}'`)
  if (!Number.isInteger(step) || step < 1) throw new Error(`has an invalid range step in '${name}'`)
  let seq: string[]
  const ib = beg.length === 1 ? LETTERS.indexOf(beg) : -1
  const ie = end.length === 1 ? LETTERS.indexOf(end) : -1
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) throw new Error(`has a range whose begin is after its end in '${name}'`)
    seq = []
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i]!)
  } else {
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) throw new Error(`has a range that is neither numbers nor single letters in '${name}'`)
    const padded = beg.length > 1 && beg.startsWith('0')
    if (padded && beg.length !== end.length) throw new Error(`has a zero-padded range whose begin and end differ in length in '${name}'`)
    seq = []
    for (let i = Number(beg); i <= Number(end); i += step) seq.push(padded ? String(i).padStart(beg.length, '0') : String(i))
    if (seq.length > 100_000) throw new Error(`has a range of more than 100000 hosts in '${name}'`)
  }
  return seq.flatMap((part) => expandHostRange(`${head}${part}${tail}`))
}

/**
 * Splits an Ansible host pattern into names and an optional port: `web[01:03]:2222`, `[2001:db8::1]:22`,
 * a bare IPv6 address (no port). Ranges are expanded.
 */
export function parseHostPattern(pattern: string): {names: string[]; port?: number} {
  if (!pattern.includes(':') && !pattern.includes('[')) return {names: [pattern]} // the usual case, 100,000 times
  let host = pattern
  let port: number | undefined
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(pattern)
  if (v6) return {names: [v6[1]!], ...(v6[2] ? {port: Number(v6[2])} : {})}
  const colons = (pattern.replace(/\[[^\]]*\]/g, '').match(/:/g) ?? []).length
  if (colons === 1) {
    const m = /^(.*):(\d+)$/.exec(pattern)
    if (!m) throw new Error(`has an invalid port in '${pattern}'`)
    host = m[1]!
    port = Number(m[2])
  }
  return {names: colons > 1 ? [pattern] : expandHostRange(host), ...(port !== undefined ? {port} : {})}
}
