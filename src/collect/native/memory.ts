import {existsSync} from 'node:fs'

import {siPart} from './si-part.js'

import {memorySection, type MemoryData, type MemoryModule} from '../../model/sections/memory.js'
import {dmiValue} from '../../../inventory/system.js'
import type {NativeCollector} from '../native-collector.js'

const si = siPart('memory', ['mem', 'memLayout'])

/**
 * Memory from systeminformation's mem() and, where it can be trusted, memLayout(). On Linux memLayout() runs
 * dmidecode and, when that fails (no DMI, not root), reports one made-up module of the whole memory: so the
 * collector asks it only as root on a machine with DMI, and says why otherwise, as the probe does.
 * memLayout gives the configured speed only (configuredSpeedMts), not the rated one.
 */
export const memoryNative: NativeCollector<typeof memorySection> = {
  section: memorySection,
  platforms: ['linux', 'win32', 'darwin', 'freebsd', 'openbsd', 'netbsd'],
  async collect() {
    const mem = await si.mem()
    if (!Number.isSafeInteger(mem.total) || mem.total <= 0) return {status: 'error', reason: 'systeminformation reported no memory'}
    const data: MemoryData = {totalBytes: mem.total}
    if (Number.isSafeInteger(mem.available) && mem.available >= 0) data.availableBytes = mem.available
    if (Number.isSafeInteger(mem.swaptotal) && mem.swaptotal >= 0) data.swapTotalBytes = mem.swaptotal
    if (Number.isSafeInteger(mem.swapfree) && mem.swapfree >= 0) data.swapFreeBytes = mem.swapfree
    if (process.platform === 'linux') {
      if (!existsSync('/sys/firmware/dmi') && !existsSync('/sys/class/dmi/id')) return {status: 'partial', reason: 'no DMI: memory modules', data}
      if (process.getuid?.() !== 0) return {status: 'partial', reason: 'needs root: memory modules', data}
    }
    const layout = await si.memLayout()
    const modules: MemoryModule[] = []
    for (const m of layout) {
      if (!Number.isSafeInteger(m.size) || m.size <= 0) continue
      const mod: MemoryModule = {sizeBytes: m.size}
      const set = (k: 'type' | 'formFactor' | 'manufacturer' | 'partNumber' | 'serial' | 'locator' | 'bankLocator', v: string | undefined) => {
        const clean = dmiValue(v)
        if (clean !== undefined) mod[k] = clean
      }
      if (m.type !== 'Other' && m.type !== 'Unknown' && m.type !== 'Empty') set('type', m.type)
      if (Number.isSafeInteger(m.clockSpeed) && (m.clockSpeed ?? 0) > 0) mod.configuredSpeedMts = m.clockSpeed!
      set('formFactor', m.formFactor)
      set('manufacturer', m.manufacturer)
      set('partNumber', m.partNum)
      set('serial', m.serialNum)
      set('bankLocator', m.bank)
      modules.push(mod)
    }
    data.modules = modules
    data.slots = layout.length
    return {status: 'ok', data}
  },
}
