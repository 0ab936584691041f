import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, needs, readFile, succeeded, toInt, toNumber} from './kit/probe-helpers.js'
import {cpuSection, type CpuData} from '../src/model/sections/cpu.js'

const VENDORS: Record<string, string> = {
  GenuineIntel: 'Intel',
  AuthenticAMD: 'AMD',
  HygonGenuine: 'Hygon',
  CentaurHauls: 'Centaur',
  '  Shanghai  ': 'Zhaoxin',
  GenuineTMx86: 'Transmeta',
  'Geode by NSC': 'NSC',
  'VIA VIA VIA ': 'VIA',
}

/** The maker's name for a CPUID vendor string (GenuineIntel → Intel); other names are kept. */
export function cpuVendorName(raw: string): string {
  return VENDORS[raw] ?? VENDORS[raw.trim()] ?? raw.trim()
}

export interface CpuInfo {
  model?: string
  vendor?: string
  /** Logical CPUs listed (online). */
  processors: number
  sockets?: number
  cores?: number
  mhz?: number
  flags?: string[]
  /** "flags" (x86) or "Features" (ARM). */
  flagsKind?: 'x86' | 'arm'
}

/** Parses /proc/cpuinfo (x86 and ARM layouts): one block per logical CPU. */
export function parseCpuInfo(text: string): CpuInfo {
  let processors = 0
  let model: string | undefined
  let vendor: string | undefined
  let flags: string[] | undefined
  let flagsKind: CpuInfo['flagsKind']
  const mhz: number[] = []
  const cores = new Set<string>()
  const sockets = new Set<string>()
  let physical: string | undefined
  let core: string | undefined
  let sawTopology = false
  const endBlock = () => {
    if (physical !== undefined && core !== undefined) {
      cores.add(`${physical}:${core}`)
      sockets.add(physical)
    }
    physical = undefined
    core = undefined
  }
  for (const line of lines(text)) {
    const colon = line.indexOf(':')
    if (colon < 0) {
      if (line.trim() === '') endBlock()
      continue
    }
    const key = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    switch (key) {
      case 'processor':
        if (/^\d+$/.test(value)) {
          endBlock()
          processors++
        }
        break
      case 'model name':
      case 'Processor':
      case 'cpu model':
        if (value && model === undefined) model = value.replace(/\s+/g, ' ')
        break
      case 'vendor_id':
      case 'CPU implementer':
        if (value && vendor === undefined) vendor = key === 'vendor_id' ? cpuVendorName(value) : armImplementer(value)
        break
      case 'cpu MHz': {
        const n = toNumber(value)
        if (n !== undefined && n >= 0) mhz.push(n)
        break
      }
      case 'physical id':
        physical = value
        sawTopology = true
        break
      case 'core id':
        core = value
        break
      case 'flags':
      case 'Features':
        if (flags === undefined) {
          flags = value.split(/\s+/).filter(Boolean)
          flagsKind = key === 'flags' ? 'x86' : 'arm'
        }
        break
    }
  }
  endBlock()
  if (processors === 0) throw new ParseError('no "processor" entries in /proc/cpuinfo')
  const r: CpuInfo = {processors}
  if (model !== undefined) r.model = model
  if (vendor !== undefined) r.vendor = vendor
  if (sawTopology && sockets.size > 0) {
    r.sockets = sockets.size
    r.cores = cores.size
  }
  if (mhz.length > 0) r.mhz = Math.round(mhz.reduce((a, b) => a + b, 0) / mhz.length)
  if (flags !== undefined) {
    r.flags = flags
    r.flagsKind = flagsKind!
  }
  return r
}

const ARM_IMPLEMENTERS: Record<string, string> = {
  '0x41': 'ARM',
  '0x42': 'Broadcom',
  '0x43': 'Cavium',
  '0x46': 'Fujitsu',
  '0x48': 'HiSilicon',
  '0x4e': 'NVIDIA',
  '0x50': 'APM',
  '0x51': 'Qualcomm',
  '0x53': 'Samsung',
  '0x56': 'Marvell',
  '0x61': 'Apple',
  '0x69': 'Intel',
  '0xc0': 'Ampere',
}

function armImplementer(code: string): string {
  return ARM_IMPLEMENTERS[code.toLowerCase()] ?? code
}

export interface Lscpu {
  cpus?: number
  sockets?: number
  coresPerSocket?: number
  threadsPerCore?: number
  model?: string
  vendor?: string
  maxMhz?: number
  mhz?: number
}

/** Parses `lscpu` (the `Key: value` summary, util-linux 2.2x to 2.4x). */
export function parseLscpu(text: string): Lscpu {
  const kv = new Map<string, string>()
  for (const line of lines(text)) {
    const m = /^([A-Za-z][^:]*):\s*(.*)$/.exec(line)
    if (m && !kv.has(m[1]!.trim())) kv.set(m[1]!.trim(), m[2]!.trim())
  }
  const cpus = toInt(kv.get('CPU(s)'))
  if (cpus === undefined || cpus < 1) throw new ParseError('lscpu printed no "CPU(s):" count')
  const r: Lscpu = {cpus}
  const pos = (k: string) => {
    const n = toInt(kv.get(k))
    return n !== undefined && n >= 1 ? n : undefined
  }
  const sockets = pos('Socket(s)')
  const cps = pos('Core(s) per socket') ?? pos('Core(s) per cluster')
  const tpc = pos('Thread(s) per core')
  if (sockets !== undefined) r.sockets = sockets
  if (cps !== undefined) r.coresPerSocket = cps
  if (tpc !== undefined) r.threadsPerCore = tpc
  const model = kv.get('Model name')
  if (model && model !== '-') r.model = model.replace(/\s+/g, ' ')
  const vendor = kv.get('Vendor ID')
  if (vendor) r.vendor = cpuVendorName(vendor)
  const max = toNumber(kv.get('CPU max MHz'))
  if (max !== undefined && max > 0) r.maxMhz = Math.round(max)
  const cur = toNumber(kv.get('CPU MHz'))
  if (cur !== undefined && cur > 0) r.mhz = Math.round(cur)
  return r
}

/** Parses the `count` command: `nproc --all`, then optionally `maxkhz=N` from cpufreq. */
export function parseCpuCount(text: string): {threads: number; maxMhz?: number} {
  const [first, ...rest] = lines(text)
  const threads = toInt(first)
  if (threads === undefined || threads < 1) throw new ParseError('expected the nproc count on the first line', 1)
  for (const line of rest) {
    const m = /^maxkhz=(\d+)$/.exec(line.trim())
    if (m) {
      const khz = toInt(m[1])
      if (khz !== undefined && khz > 0) return {threads, maxMhz: Math.round(khz / 1000)}
    }
  }
  return {threads}
}

/** Combines the three readings into the section's data. */
export function cpuData(info: CpuInfo, lscpu: Lscpu | undefined, count: {threads: number; maxMhz?: number} | undefined): CpuData {
  const threads = count?.threads ?? lscpu?.cpus ?? info.processors
  const data: CpuData = {threads}
  const model = info.model ?? lscpu?.model
  if (model) data.model = model
  const vendor = info.vendor ?? lscpu?.vendor
  if (vendor) data.vendor = vendor
  const sockets = lscpu?.sockets ?? info.sockets
  if (sockets !== undefined) data.sockets = sockets
  // lscpu counts per socket; /proc/cpuinfo's distinct (physical id, core id) pairs count the online cores
  const cores = lscpu?.sockets !== undefined && lscpu.coresPerSocket !== undefined ? lscpu.sockets * lscpu.coresPerSocket : info.cores
  if (cores !== undefined && cores >= 1) data.cores = Math.min(cores, threads)
  const mhz = info.mhz ?? lscpu?.mhz
  if (mhz !== undefined) data.mhz = mhz
  const maxMhz = lscpu?.maxMhz ?? count?.maxMhz
  if (maxMhz !== undefined) data.maxMhz = maxMhz
  if (info.flags) {
    const f = new Set(info.flags)
    if (info.flagsKind === 'x86') {
      data.virtualizationExtension = f.has('vmx') ? 'vmx' : f.has('svm') ? 'svm' : 'none'
      data.hypervisorFlag = f.has('hypervisor')
    }
    data.aes = f.has('aes')
  }
  return data
}

export const cpuProbe = defineProbe({
  section: cpuSection,
  platforms: ['Linux'],
  weight: 2,
  grouped: true,
  commands: {
    cpuinfo: readFile('/proc/cpuinfo', 'return'),
    lscpu: needs('lscpu', 'lscpu', 'return'),
    count:
      'nproc --all 2>/dev/null || getconf _NPROCESSORS_CONF; f=/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq; if [ -r $f ]; then printf "maxkhz=%s\\n" "$(cat $f)"; fi; return 0',
  },
  interpret(out) {
    const fail = failure(out.cpuinfo, '/proc/cpuinfo')
    if (fail) return fail
    const info = parseCpuInfo(out.cpuinfo!.stdout)
    let lscpu: Lscpu | undefined
    if (succeeded(out.lscpu)) {
      try {
        lscpu = parseLscpu(out.lscpu.stdout)
      } catch (error) {
        if (!(error instanceof ParseError)) throw error
      }
    }
    let count: ReturnType<typeof parseCpuCount> | undefined
    if (succeeded(out.count)) {
      try {
        count = parseCpuCount(out.count.stdout)
      } catch (error) {
        if (!(error instanceof ParseError)) throw error
      }
    }
    const data = cpuData(info, lscpu, count)
    const missing: string[] = []
    if (data.sockets === undefined || data.cores === undefined) missing.push('sockets and cores')
    if (data.model === undefined) missing.push('model')
    if (missing.length === 0) return {status: 'ok', data}
    const why = out.lscpu?.exitCode === 127 ? 'not installed: lscpu, so not reported' : 'not reported'
    return {status: 'partial', reason: `${why}: ${missing.join(', ')}`, data}
  },
})
