import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines} from './kit/probe-helpers.js'
import {systemSection, type SystemData} from '../src/model/sections/system.js'

/** The files of /sys/class/dmi/id read by the probe, in order. */
export const DMI_FILES = [
  'sys_vendor',
  'product_name',
  'product_version',
  'product_serial',
  'product_sku',
  'product_family',
  'chassis_type',
  'chassis_vendor',
  'board_vendor',
  'board_name',
  'board_version',
  'board_serial',
  'bios_vendor',
  'bios_version',
  'bios_date',
] as const

/** Values firmware writers leave in DMI fields instead of a real value. */
const PLACEHOLDER =
  /^(|-|none|n\/a|na|not specified|not available|not applicable|to be filled by o\.?e\.?m\.?|default string|system (product name|manufacturer|version|serial number)|o\.?e\.?m\.?|0+|1234567890|0123456789|x+|unknown|chassis (manufacture|version|serial number)|type1(productconfigid|sku0|family)|sku|invalid|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff|03000200-0400-0500-0006-000700080009)$/i

/** True for DMI placeholders ("To Be Filled By O.E.M.", "Not Specified", all zeros…): the value is unknown. */
export function isDmiPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value.trim())
}

/** A DMI value cleaned of padding, or undefined when it is a placeholder or not printable text. */
export function dmiValue(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const v = raw.trim().replace(/\s+/g, ' ')
  // eslint-disable-next-line no-control-regex
  if (isDmiPlaceholder(v) || /[\u0000-\u001f\u007f\ufffd]/.test(v)) return undefined
  return v
}

/** SMBIOS 3.x chassis types (DSP0134, 7.4.1), by number. */
const CHASSIS_TYPES: Record<number, string> = {
  1: 'Other',
  2: 'Unknown',
  3: 'Desktop',
  4: 'Low Profile Desktop',
  5: 'Pizza Box',
  6: 'Mini Tower',
  7: 'Tower',
  8: 'Portable',
  9: 'Laptop',
  10: 'Notebook',
  11: 'Hand Held',
  12: 'Docking Station',
  13: 'All in One',
  14: 'Sub Notebook',
  15: 'Space-saving',
  16: 'Lunch Box',
  17: 'Main Server Chassis',
  18: 'Expansion Chassis',
  19: 'SubChassis',
  20: 'Bus Expansion Chassis',
  21: 'Peripheral Chassis',
  22: 'RAID Chassis',
  23: 'Rack Mount Chassis',
  24: 'Sealed-case PC',
  25: 'Multi-system Chassis',
  26: 'Compact PCI',
  27: 'Advanced TCA',
  28: 'Blade',
  29: 'Blade Enclosure',
  30: 'Tablet',
  31: 'Convertible',
  32: 'Detachable',
  33: 'IoT Gateway',
  34: 'Embedded PC',
  35: 'Mini PC',
  36: 'Stick PC',
}

/** The chassis type's name from its SMBIOS number (the low 7 bits; bit 7 is the lock flag). */
export function chassisTypeName(raw: string | undefined): string | undefined {
  if (raw === undefined || !/^\d{1,3}$/.test(raw.trim())) return undefined
  return CHASSIS_TYPES[Number(raw.trim()) & 0x7f]
}

/** MM/DD/YYYY (or MM/DD/YY, as old BIOSes write it) to YYYY-MM-DD; undefined when it is not a real date. */
export function biosDateIso(raw: string | undefined): string | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec((raw ?? '').trim())
  if (!m) return undefined
  const month = Number(m[1])
  const day = Number(m[2])
  let year = Number(m[3])
  if (m[3]!.length === 2) year += year < 80 ? 2000 : 1900
  const d = new Date(Date.UTC(year, month - 1, day))
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined
  return d.toISOString().slice(0, 10)
}

export interface DmiFiles {
  /** file name → raw first line, for the files that were read. */
  values: Map<string, string>
  /** Files that exist but this user cannot read (root-only). */
  denied: string[]
}

/**
 * Parses the `dmi` command's output: `FILE:VALUE` lines (grep -H) for files that were read,
 * `FILE:!denied` for files that exist but are root-only.
 */
export function parseDmiFiles(text: string): DmiFiles {
  const values = new Map<string, string>()
  const denied: string[] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const colon = line.indexOf(':')
    const name = colon < 0 ? '' : line.slice(0, colon)
    if (!/^[a-z_]+$/.test(name)) throw new ParseError('expected FILE:VALUE', i + 1)
    const value = line.slice(colon + 1)
    if (value === '!denied') denied.push(name)
    else if (!values.has(name)) values.set(name, value)
  }
  return {values, denied}
}

/** Reads the DMI files as the data of the section. */
export function systemFromDmi(files: DmiFiles): SystemData {
  const v = (f: string) => dmiValue(files.values.get(f))
  const data: SystemData = {}
  const set = (k: keyof SystemData, value: string | undefined) => {
    if (value !== undefined) data[k] = value
  }
  set('vendor', v('sys_vendor'))
  set('model', v('product_name'))
  set('version', v('product_version'))
  set('serial', v('product_serial'))
  set('sku', v('product_sku'))
  set('family', v('product_family'))
  set('chassisType', chassisTypeName(files.values.get('chassis_type')))
  set('chassisVendor', v('chassis_vendor'))
  set('boardVendor', v('board_vendor'))
  set('boardModel', v('board_name'))
  set('boardVersion', v('board_version'))
  set('boardSerial', v('board_serial'))
  set('biosVendor', v('bios_vendor'))
  set('biosVersion', v('bios_version'))
  set('biosDate', biosDateIso(files.values.get('bios_date')))
  return data
}

/** Prints readable DMI files as FILE:VALUE and root-only ones as FILE:!denied; exits 3 without DMI. */
const DMI_COMMAND = [
  'cd /sys/class/dmi/id 2>/dev/null || exit 3',
  `for f in ${DMI_FILES.join(' ')}; do if [ -e "$f" ] && [ ! -r "$f" ]; then echo "$f:!denied"; fi; done`,
  `grep -s -H '' ${DMI_FILES.join(' ')}`,
  'exit 0',
].join('; ')

export const NO_DMI_REASON = 'no DMI: /sys/class/dmi/id is absent (no SMBIOS firmware tables)'

export const systemProbe = defineProbe({
  section: systemSection,
  platforms: ['Linux'],
  commands: {dmi: DMI_COMMAND},
  interpret(out) {
    if (out.dmi?.ran && out.dmi.exitCode === 3) return {status: 'unavailable', reason: NO_DMI_REASON}
    const fail = failure(out.dmi, 'DMI')
    if (fail) return fail
    const files = parseDmiFiles(out.dmi!.stdout)
    const data = systemFromDmi(files)
    if (files.denied.length > 0) return {status: 'partial', reason: `needs root: ${files.denied.join(', ')}`, data}
    return {status: 'ok', data}
  },
})
