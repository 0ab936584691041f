import {ParseError} from './kit/parse-error.js'
import {lines} from './kit/probe-helpers.js'
import type {SmartDiskData} from '../src/model/sections/storage.js'

/** What the `smart` command printed: the candidate disks, whether smartctl ran, and each disk's JSON. */
export interface SmartOutput {
  candidates: string[]
  installed: boolean
  needsRoot: boolean
  disks: SmartDiskData[]
}

const ATTRIBUTES = {5: 'reallocatedSectors', 197: 'pendingSectors', 198: 'offlineUncorrectable'} as const
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined)
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : undefined)

/** A WWN ({naa, oui, id}) as smartctl prints it: `5 000c50 0499602d2` (naa, then the OUI in 6 and the id in 9 hex digits). */
function wwnOf(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined
  const {naa, oui, id} = v as Record<string, unknown>
  const [n, o, i] = [count(naa), count(oui), count(id)]
  if (n === undefined || o === undefined || i === undefined) return undefined
  return `${n.toString(16)} ${o.toString(16).padStart(6, '0')} ${i.toString(16).padStart(9, '0')}`
}

/** One disk's `smartctl --json -i -H -A` document: its identity (model, serial number, WWN), the overall verdict and the few counters that foretell a failure. */
export function parseSmartctlJson(name: string, json: string): SmartDiskData {
  let doc: Record<string, any>
  try {
    doc = JSON.parse(json) as Record<string, any>
  } catch {
    return {name, error: json.trim() === '' ? 'smartctl printed nothing' : 'smartctl printed no JSON'}
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return {name, error: 'smartctl printed no JSON object'}
  const disk: SmartDiskData = {name}
  const protocol = text(doc.device?.protocol)
  if (protocol) disk.protocol = protocol
  const model = text(doc.model_name) ?? text(doc.scsi_model_name)
  if (model) disk.model = model
  const serial = text(doc.serial_number)
  if (serial) disk.serial = serial
  const wwn = wwnOf(doc.wwn)
  if (wwn) disk.wwn = wwn
  if (typeof doc.smart_status?.passed === 'boolean') disk.passed = doc.smart_status.passed
  for (const a of Array.isArray(doc.ata_smart_attributes?.table) ? (doc.ata_smart_attributes.table as Record<string, any>[]) : []) {
    const field = ATTRIBUTES[a?.id as keyof typeof ATTRIBUTES]
    const raw = count(a?.raw?.value)
    if (field && raw !== undefined) disk[field] = raw
  }
  const nvme = doc.nvme_smart_health_information_log as Record<string, unknown> | undefined
  if (nvme && typeof nvme === 'object') {
    const warning = count(nvme.critical_warning)
    const media = count(nvme.media_errors)
    if (warning !== undefined) disk.nvmeCriticalWarning = warning
    if (media !== undefined) disk.nvmeMediaErrors = media
  }
  if (disk.passed === undefined) {
    const messages = Array.isArray(doc.smartctl?.messages) ? (doc.smartctl.messages as {string?: unknown}[]).map((m) => text(m?.string)).filter(Boolean) : []
    disk.error = messages.join('; ').slice(0, 300) || 'smartctl gave no health verdict'
  }
  return disk
}

/** Parses the `smart` command: `!candidate DEV` lines, then `!not-installed`, `!needs-root`, or `!disk DEV` + its JSON. */
export function parseSmartOutput(output: string): SmartOutput {
  const out: SmartOutput = {candidates: [], installed: true, needsRoot: false, disks: []}
  let disk: {name: string; body: string[]} | undefined
  const flush = () => {
    if (disk) out.disks.push(parseSmartctlJson(disk.name, disk.body.join('\n')))
    disk = undefined
  }
  let n = 0
  for (const line of lines(output)) {
    n++
    const marker = /^!(candidate|disk|not-installed|needs-root)(?: (\/dev\/\S+))?$/.exec(line)
    if (!marker) {
      if (!disk) throw new ParseError(`output outside a disk: ${JSON.stringify(line.slice(0, 60))}`, n)
      disk.body.push(line)
      continue
    }
    flush()
    if (marker[1] === 'candidate' && marker[2]) out.candidates.push(marker[2])
    else if (marker[1] === 'disk' && marker[2]) disk = {name: marker[2], body: []}
    else if (marker[1] === 'not-installed') out.installed = false
    else if (marker[1] === 'needs-root') out.needsRoot = true
    else throw new ParseError(`a marker without a device: ${line}`, n)
  }
  flush()
  return out
}
