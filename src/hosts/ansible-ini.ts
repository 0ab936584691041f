import {ConfigError} from './config-error.js'
import type {DraftInventory} from './draft.js'
import {parseHostPattern} from './ansible-range.js'
import {AnsibleTree} from './ansible-tree.js'

/** A value as Ansible's INI plugin reads it: Python literals (numbers, True/False, quoted strings), else the text. */
export function iniValue(raw: string): unknown {
  const v = raw.trim()
  if (/^-?\d+$/.test(v)) return Number(v)
  if (/^-?\d+\.\d+$/.test(v)) return Number(v)
  if (v === 'True') return true
  if (v === 'False') return false
  if (v === 'None') return null
  const q = /^(["'])(.*)\1$/.exec(v)
  if (q) return q[2]
  return v
}

/** shlex.split(line, comments=True), enough for host lines: quotes, backslashes, `#` comments. */
function shlexSplit(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let has = false
  let quote: string | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i]
      else cur += c
    } else if (c === '"' || c === "'") {
      quote = c
      has = true
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]
      has = true
    } else if (c === '#' && !has) break
    else if (/\s/.test(c)) {
      if (has) out.push(cur)
      cur = ''
      has = false
    } else {
      cur += c
      has = true
    }
  }
  if (quote) throw new Error('has an unclosed quote')
  if (has) out.push(cur)
  return out
}

/** Reads an Ansible INI inventory: [group], [group:vars], [group:children], inline host vars, ranges. */
export function parseAnsibleIni(text: string, file: string): {draft?: DraftInventory; errors: ConfigError[]} {
  const tree = new AnsibleTree(file)
  const errors: ConfigError[] = []
  let group = 'ungrouped'
  let kind: 'hosts' | 'vars' | 'children' = 'hosts'
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineNo = i + 1
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) return
    const pos = {file, line: lineNo, column: raw.indexOf(line[0]!) + 1}
    const fail = (problem: string, hint?: string) => errors.push(new ConfigError(file, lineNo, pos.column, '', problem, hint))
    const section = /^\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line)
    if (section) {
      const [name, suffix] = section[1]!.split(':') as [string, string | undefined]
      if (suffix !== undefined && suffix !== 'vars' && suffix !== 'children') return fail(`has section type ':${suffix}' (expected :vars or :children)`, `write [${name}], [${name}:vars] or [${name}:children]`)
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) return fail(`names group '${name}', which is not a valid group name`)
      group = name
      kind = suffix === 'vars' ? 'vars' : suffix === 'children' ? 'children' : 'hosts'
      tree.group(name, pos)
      return
    }
    if (kind === 'vars') {
      const eq = line.indexOf('=')
      if (eq < 0) return fail(`is not 'key=value' in [${group}:vars]`)
      tree.setGroupVars(group, {[line.slice(0, eq).trim()]: iniValue(line.slice(eq + 1))}, pos)
      return
    }
    if (kind === 'children') {
      const child = line.split(/\s+/)[0]!
      tree.addChild(group, child, pos)
      return
    }
    let tokens: string[]
    try {
      tokens = shlexSplit(line)
    } catch (error) {
      return fail((error as Error).message)
    }
    const [pattern, ...assignments] = tokens
    if (!pattern) return
    const vars: Record<string, unknown> = {}
    for (const a of assignments) {
      const eq = a.indexOf('=')
      if (eq <= 0) return fail(`has '${a.split('=')[0]}' where a key=value host variable was expected`)
      vars[a.slice(0, eq)] = iniValue(a.slice(eq + 1))
    }
    try {
      const {names, port} = parseHostPattern(pattern)
      for (const n of names) tree.addHost(group, n, port !== undefined ? {ansible_port: port, ...vars} : vars, pos)
    } catch (error) {
      fail((error as Error).message)
    }
  })
  if (errors.length) return {errors}
  return tree.toDraft()
}
