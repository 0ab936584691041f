import {accessSync, constants, existsSync} from 'node:fs'

import {siPart} from './si-part.js'

import {biosDateIso, chassisTypeName, DMI_FILES, dmiValue, NO_DMI_REASON} from '../../../inventory/system.js'
import {systemSection, type SystemData} from '../../model/sections/system.js'
import type {NativeCollector} from '../native-collector.js'

const si = siPart('system', ['system', 'bios', 'baseboard', 'chassis'])

const DMI_DIR = '/sys/class/dmi/id'

/** Values systeminformation invents when it knows nothing ("Computer", "Docker Container"…): unknown, not a model. */
const SYNTHETIC_MODEL = /^(Computer|Virtual machine|Docker Container)$/

/** DMI files that exist but this user cannot read (root-only), as the probe lists them. */
export function deniedDmiFiles(): string[] {
  return DMI_FILES.filter((f) => {
    const p = `${DMI_DIR}/${f}`
    if (!existsSync(p)) return false
    try {
      accessSync(p, constants.R_OK)
      return false
    } catch {
      return true
    }
  })
}

/** System, board and BIOS from systeminformation (system, bios, baseboard, chassis: no dmidecode run beyond `-t system`). */
export const systemNative: NativeCollector<typeof systemSection> = {
  section: systemSection,
  platforms: ['linux', 'win32', 'darwin', 'freebsd', 'openbsd', 'netbsd'],
  async collect() {
    if (process.platform === 'linux' && !existsSync(DMI_DIR)) return {status: 'unavailable', reason: NO_DMI_REASON}
    const [sys, bios, board, chassis] = await Promise.all([si.system(), si.bios(), si.baseboard(), si.chassis()])
    const data: SystemData = {}
    const set = (k: keyof SystemData, v: string | undefined) => {
      const clean = dmiValue(v)
      if (clean !== undefined) data[k] = clean
    }
    set('vendor', sys.manufacturer)
    if (!SYNTHETIC_MODEL.test(sys.model)) set('model', sys.model)
    set('version', sys.version)
    set('serial', sys.serial)
    set('sku', sys.sku)
    set('chassisType', chassisTypeName(chassis.type) ?? chassis.type)
    set('chassisVendor', chassis.manufacturer)
    set('boardVendor', board.manufacturer)
    set('boardModel', board.model)
    set('boardVersion', board.version)
    set('boardSerial', board.serial)
    set('biosVendor', bios.vendor)
    set('biosVersion', bios.version)
    const date = /^\d{4}-\d\d-\d\d$/.test(bios.releaseDate ?? '') ? bios.releaseDate : biosDateIso(bios.releaseDate)
    if (date && !Number.isNaN(Date.parse(date))) data.biosDate = date
    const denied = process.platform === 'linux' ? deniedDmiFiles() : []
    if (denied.length > 0) return {status: 'partial', reason: `needs root: ${denied.join(', ')}`, data}
    return {status: 'ok', data}
  },
}
