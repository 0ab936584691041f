import os from 'node:os'

import {siPart} from './si-part.js'

import {cpuSection, type CpuData} from '../../model/sections/cpu.js'
import type {NativeCollector} from '../native-collector.js'

const si = siPart('cpu', ['cpu'])

/**
 * Processors from systeminformation's cpu(). Differences from the probe, by design:
 * - model is node's os.cpus() model (the CPU's own string, as /proc/cpuinfo's "model name"): systeminformation's
 *   brand drops the maker and rewrites "(R)", "CPU", "@ 2.10GHz";
 * - threads counts the online logical CPUs (os.cpus()), the probe `nproc --all` (configured): they differ only
 *   when CPUs are offline;
 * - mhz is the mean of os.cpus() speeds (the kernel's current clock), which moves between two readings.
 */
export const cpuNative: NativeCollector<typeof cpuSection> = {
  section: cpuSection,
  platforms: ['linux', 'win32', 'darwin', 'freebsd', 'openbsd', 'netbsd'],
  async collect() {
    const cpu = await si.cpu()
    const cpus = os.cpus()
    const threads = cpus.length > 0 ? cpus.length : cpu.cores
    if (!threads || threads < 1) return {status: 'error', reason: 'systeminformation found no processor'}
    const data: CpuData = {threads}
    const model = cpus[0]?.model.trim().replace(/\s+/g, ' ')
    if (model) data.model = model
    else if (cpu.brand) data.model = `${cpu.manufacturer} ${cpu.brand}`.trim()
    if (cpu.manufacturer) data.vendor = cpu.manufacturer
    if (cpu.processors >= 1) data.sockets = cpu.processors
    if (cpu.physicalCores >= 1) data.cores = Math.min(cpu.physicalCores, threads)
    const speeds = cpus.map((c) => c.speed).filter((s) => s > 0)
    if (speeds.length > 0) data.mhz = Math.round(speeds.reduce((a, b) => a + b, 0) / speeds.length)
    else if (cpu.speed > 0) data.mhz = Math.round(cpu.speed * 1000)
    if (cpu.speedMax > 0) data.maxMhz = Math.round(cpu.speedMax * 1000)
    const flags = new Set(cpu.flags.split(/\s+/).filter(Boolean))
    if (flags.size > 0) {
      if (process.arch === 'x64' || process.arch === 'ia32') {
        data.virtualizationExtension = flags.has('vmx') ? 'vmx' : flags.has('svm') ? 'svm' : 'none'
        data.hypervisorFlag = flags.has('hypervisor')
      }
      data.aes = flags.has('aes')
    }
    const missing = [data.sockets === undefined || data.cores === undefined ? 'sockets and cores' : '', data.model ? '' : 'model'].filter(Boolean)
    return missing.length ? {status: 'partial', reason: `not reported: ${missing.join(', ')}`, data} : {status: 'ok', data}
  },
}
