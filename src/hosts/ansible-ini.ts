import {ConfigError} from '../config/config-error.js'
import type {DraftInventory} from './draft.js'
import {parseHostPattern} from './ansible-range.js'
import {AnsibleTree} from './ansible-tree.js'
import {shlexSplit} from './shlex-split.js'

/** A value as Ansible's INI plugin reads it: Python literals (numbers, True/False, quoted strings), else the text. */
export function iniValue(raw: string): unknown {
  const v = raw.trim()
  const c = v.charCodeAt(0)
  // each kind starts with its own characters: a digit or '-', a quote, a capital letter
  if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
    if (/^-?\d+$/.test(v)) return Number(v)
    if (/^-?\d+\.\d+$/.test(v)) return Number(v)
  } else if (c === 0x22 || c === 0x27) {
    const q = /^(["'])(.*)\1$/.exec(v)
    if (q) return q[2]
  } else if (v === 'True') return true
  else if (v === 'False') return false
  else if (v === 'None') return null
  return v
}

const COMMENTS = {comments: true}

/** Reads an Ansible INI inventory: [group], [group:vars], [group:children], inline host vars, ranges. */
export function parseAnsibleIni(text: string, file: string): {draft?: DraftInventory; errors: ConfigError[]} {
  const tree = new AnsibleTree(file)
  const errors: ConfigError[] = []
  let group = 'ungrouped'
  let kind: 'hosts' | 'vars' | 'children' = 'hosts'
  let lineNo = 0
  // line by line, without an array of every line first (a big inventory has 100,000)
  for (let start = 0; start <= text.length; ) {
    let eol = text.indexOf('\n', start)
    if (eol < 0) eol = text.length
    const raw = text.slice(start, eol > start && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol)
    lineNo++
    readLine(raw, lineNo)
    start = eol + 1
    if (eol === text.length) break
  }
  function readLine(raw: string, lineNo: number): void {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) return
    const pos = {file, line: lineNo, column: raw.indexOf(line[0]!) + 1}
    const fail = (problem: string, hint?: string): void => void errors.push(new ConfigError(file, lineNo, pos.column, '', problem, hint))
    const section = line.startsWith('[') ? /^\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line) : null
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
      tokens = shlexSplit(line, COMMENTS)
    } catch (error) {
      return fail((error as Error).message)
    }
    const pattern = tokens[0]
    if (!pattern) return
    const vars: Record<string, unknown> = {}
    for (let t = 1; t < tokens.length; t++) {
      const a = tokens[t]!
      const eq = a.indexOf('=')
      if (eq <= 0) return fail(`has '${a.split('=')[0]}' where a key=value host variable was expected`)
      vars[a.slice(0, eq)] = iniValue(a.slice(eq + 1))
    }
    try {
      const {names, port} = parseHostPattern(pattern)
      // a variable's column: where `name=` is written on the line
      const origin = (variable: string) => ({...pos, column: raw.indexOf(`${variable}=`) + 1 || pos.column, path: ''})
      for (const n of names) tree.addHost(group, n, port !== undefined ? {ansible_port: port, ...vars} : vars, pos, origin)
    } catch (error) {
      fail((error as Error).message)
    }
  }
  if (errors.length) return {errors}
  return tree.toDraft()
}
