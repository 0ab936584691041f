import {ParseError} from './kit/parse-error.js'
import {lines, toInt, toNumber} from './kit/probe-helpers.js'
import type {MdArrayData} from '../src/model/sections/storage.js'

const HEADER = /^(md[\w-]*)\s*:\s*(\S+)(.*)$/
const MEMBER = /^([\w.:/-]+)\[(\d+)\]((?:\([A-Za-z]+\))*)$/
const COUNTS = /\[(\d+)\/(\d+)\]\s*\[([U_]+)\]/
const SYNC = /\b(resync|recovery|reshape|check|repair)\s*=\s*(?:([\d.]+)%|(\w+))/

/** Parses /proc/mdstat as the kernel prints it: one block per array, a header line then indented status lines. */
export function parseMdstat(text: string): MdArrayData[] {
  const arrays: MdArrayData[] = []
  let current: MdArrayData | undefined
  let n = 0
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '' || line.startsWith('Personalities') || line.startsWith('unused devices') || line.startsWith('read_ahead')) {
      if (line === '') current = undefined
      continue
    }
    const header = HEADER.exec(line)
    if (header && !/^\s/.test(raw)) {
      const [, name, state, rest] = header
      if (state !== 'active' && state !== 'inactive') throw new ParseError(`unknown array state ${JSON.stringify(state)}`, n)
      const tokens = rest!.trim().split(/\s+/).filter(Boolean)
      let readOnly = false
      let level: string | undefined
      const members: MdArrayData['members'] = []
      for (const t of tokens) {
        if (/^\((auto-)?read-only\)$/.test(t)) readOnly = true
        else if (MEMBER.test(t)) {
          const [, device, role, flags] = MEMBER.exec(t)!
          members.push({device: device!, role: Number(role), faulty: flags!.includes('(F)'), spare: flags!.includes('(S)')})
        } else if (level === undefined && members.length === 0 && /^[a-z][\w-]*$/.test(t)) level = t
        else throw new ParseError(`not a member of ${name}: ${JSON.stringify(t.slice(0, 60))}`, n)
      }
      current = {name: name!, state: state!, readOnly, ...(level ? {level} : {}), members, degraded: members.some((m) => m.faulty)}
      arrays.push(current)
      continue
    }
    if (!current) throw new ParseError(`a status line outside an array: ${JSON.stringify(line.slice(0, 60))}`, n)
    const counts = COUNTS.exec(line)
    if (counts) {
      current.disks = toInt(counts[1])!
      current.workingDisks = toInt(counts[2])!
      current.map = counts[3]!
      if (current.workingDisks < current.disks || current.map.includes('_')) current.degraded = true
    }
    const sync = SYNC.exec(line)
    if (sync) {
      const percent = toNumber(sync[2])
      current.sync = {action: sync[1]!, ...(percent !== undefined ? {percent} : {}), ...(sync[3] ? {state: sync[3]} : {})}
    }
  }
  return arrays
}
