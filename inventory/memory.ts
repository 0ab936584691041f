import {Type} from '../src/model/type-builder.js'

import {ParseError} from './kit/parse-error.js'
import {defineProbe, type CommandOutput} from './kit/probe.js'
import {failure, lines, needs, readSmallFile, succeeded, toInt} from './kit/probe-helpers.js'
import {memorySection, type MemoryData, type MemoryModule} from '../src/model/sections/memory.js'
import {dmiValue} from './system.js'

export interface MemInfo {
  totalBytes: number
  availableBytes?: number
  swapTotalBytes?: number
  swapFreeBytes?: number
}

/** Parses /proc/meminfo (`Key:   N kB` lines). */
export function parseMemInfo(text: string): MemInfo {
  const kv = new Map<string, number>()
  for (const line of lines(text)) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?: kB)?\s*$/.exec(line)
    if (!m) continue
    const n = toInt(m[2])
    if (n !== undefined && !kv.has(m[1]!)) kv.set(m[1]!, n * 1024)
  }
  const total = kv.get('MemTotal')
  if (total === undefined || !Number.isSafeInteger(total)) throw new ParseError('no MemTotal in /proc/meminfo')
  const r: MemInfo = {totalBytes: total}
  const set = (k: keyof MemInfo, v: number | undefined) => {
    if (v !== undefined && Number.isSafeInteger(v)) r[k] = v
  }
  set('availableBytes', kv.get('MemAvailable'))
  set('swapTotalBytes', kv.get('SwapTotal'))
  set('swapFreeBytes', kv.get('SwapFree'))
  return r
}

const UNITS: Record<string, number> = {bytes: 1, kB: 1024, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4}

/** "16384 MB", "16 GB", "512 kB" → bytes; undefined for "No Module Installed" and the like. */
export function dmiSizeBytes(text: string): number | undefined {
  const m = /^(\d+)\s*(bytes|kB|KB|MB|GB|TB)$/.exec(text.trim())
  if (!m) return undefined
  const n = Number(m[1]) * UNITS[m[2]!]!
  return Number.isSafeInteger(n) ? n : undefined
}

function speed(text: string | undefined): number | undefined {
  const m = /^(\d+)\s*(MT\/s|MHz)$/.exec((text ?? '').trim())
  if (!m) return undefined
  const n = toInt(m[1])
  return n !== undefined && n > 0 ? n : undefined
}

/** Parses `dmidecode -t 17`: every Memory Device block; returns populated modules and the number of slots. */
export function parseDmidecodeMemory(text: string): {modules: MemoryModule[]; slots: number} {
  const all = lines(text)
  if (!all.some((l) => /^# dmidecode /.test(l) || /^Handle 0x[0-9A-Fa-f]+, DMI type/.test(l))) {
    throw new ParseError('not dmidecode output')
  }
  const modules: MemoryModule[] = []
  let slots = 0
  let block: Map<string, string> | undefined
  const flush = () => {
    if (!block) return
    slots++
    const size = dmiSizeBytes(block.get('Size') ?? '')
    if (size !== undefined && size > 0) {
      const mod: MemoryModule = {sizeBytes: size}
      const str = (k: keyof MemoryModule, key: string) => {
        const v = dmiValue(block!.get(key))
        if (v !== undefined) (mod as Record<string, unknown>)[k] = v
      }
      str('type', 'Type')
      const s = speed(block.get('Speed'))
      if (s !== undefined) mod.speedMts = s
      const cs = speed(block.get('Configured Memory Speed') ?? block.get('Configured Clock Speed'))
      if (cs !== undefined) mod.configuredSpeedMts = cs
      str('formFactor', 'Form Factor')
      str('manufacturer', 'Manufacturer')
      str('partNumber', 'Part Number')
      str('serial', 'Serial Number')
      str('locator', 'Locator')
      str('bankLocator', 'Bank Locator')
      if (mod.type === 'Other' || mod.type === 'Unknown') delete mod.type
      modules.push(mod)
    }
    block = undefined
  }
  for (const line of all) {
    if (/^Handle 0x/.test(line)) {
      flush()
      continue
    }
    if (line === 'Memory Device') {
      block = new Map()
      continue
    }
    if (!block) continue
    const m = /^\t([^\t:][^:]*):\s?(.*)$/.exec(line)
    if (m && !block.has(m[1]!)) block.set(m[1]!, m[2]!)
  }
  flush()
  return {modules, slots}
}

export const memoryProbe = defineProbe({
  section: memorySection,
  platforms: ['Linux'],
  grouped: true,
  commands: {
    meminfo: readSmallFile('/proc/meminfo', 'return'),
    // dmidecode reads the SMBIOS tables from sysfs (root-only) or /dev/mem; status 3 when the machine has none
    modules: `[ -d /sys/firmware/dmi ] || [ -d /sys/class/dmi/id ] || return 3; ${needs('dmidecode', 'dmidecode -t 17', 'return')}`,
  },
  interpret(out, context) {
    const fail = failure(out.meminfo, '/proc/meminfo')
    if (fail) return fail
    const data: MemoryData = {...parseMemInfo(out.meminfo!.stdout)}
    const m: CommandOutput | undefined = out.modules
    const code = m === undefined || !m.ran || m.timedOut ? undefined : m.exitCode
    if (succeeded(m)) {
      const parsed = parseDmidecodeMemory(m.stdout)
      data.modules = parsed.modules
      data.slots = parsed.slots
      return {status: 'ok', data}
    }
    let reason: string
    if (code === 3) reason = 'no DMI: memory modules'
    else if (code === 127) reason = 'not installed: dmidecode (memory modules)'
    else if (code !== undefined && code !== null && !context.privileged) reason = 'needs root: memory modules'
    else reason = (failure(out.modules, 'memory modules')?.reason ?? 'memory modules: unknown').replace(/^memory modules: (.*)$/, '$1: memory modules')
    return {status: 'partial', reason, data}
  },
})
