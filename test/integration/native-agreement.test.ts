/**
 * On this machine (Linux, local) the systeminformation collectors and the shell probes must tell the same
 * story, field by field. Where they legitimately differ, the test says so and why.
 */
import type {TSchema} from '@sinclair/typebox'
import {beforeAll, describe, expect, it} from 'vitest'

import {identityProbe} from '../../inventory/identity.js'
import {probes} from '../../inventory/index.js'
import {appSpecificId, type IdentityData} from '../../src/model/sections/identity.js'
import {collectHost} from '../../src/collect/collect-host.js'
import {cpuNative} from '../../src/collect/native/cpu.js'
import {disksNative} from '../../src/collect/native/disks.js'
import {memoryNative} from '../../src/collect/native/memory.js'
import {systemNative} from '../../src/collect/native/system.js'
import type {NativeCollector} from '../../src/collect/native-collector.js'
import {loadNativeCollectors} from '../../src/collect/native/sections.js'
import type {ProbeResult} from '../../inventory/kit/implementation.js'
import type {AnyProbe} from '../../inventory/kit/probe.js'
import type {Section} from '../../src/model/section.js'
import {problemsOf} from '../../src/model/validate.js'
import {LocalTransport} from '../../src/transport/local-transport.js'

const linux = process.platform === 'linux'

/** The probe's section, collected through the real batch runner on this machine, natives off. */
async function viaProbe(probe: AnyProbe): Promise<Section<unknown>> {
  const snapshot = await collectHost(new LocalTransport(), {probes: [probe], native: []})
  return (snapshot.sections as unknown as Record<string, Section<unknown>>)[probe.id]!
}

async function pair<T>(native: NativeCollector): Promise<{probe: Section<T>; native: ProbeResult<T>}> {
  const [p, n] = await Promise.all([viaProbe(probes.find((i) => i.section.id === native.section.id)!), native.collect()])
  if (n.data !== undefined) expect(problemsOf(native.section.schema as TSchema, n.data)).toEqual([])
  return {probe: p as Section<T>, native: n as ProbeResult<T>}
}

describe.runIf(linux)('native collectors agree with the probes on this machine', () => {
  // how fast they run is 'npm run bench' (collect): a stopwatch here fails on a loaded machine, not on slow code
  it('every native collector runs here without an error', async () => {
    const nativeCollectors = await loadNativeCollectors()
    const results = await Promise.all(nativeCollectors.map((n) => n.collect()))
    for (const [i, r] of results.entries()) expect(r.status, nativeCollectors[i]!.section.id).not.toBe('error')
  })

  it('system: same status and data (no DMI here: both "unavailable", same reason)', async () => {
    const {probe, native} = await pair(systemNative)
    expect(native.status).toBe(probe.status)
    expect(native.reason).toBe(probe.reason)
    expect(native.data).toEqual(probe.data)
  })

  it('cpu: model, vendor, sockets, cores, threads and flags agree', async () => {
    const {probe, native} = await pair<Record<string, unknown>>(cpuNative)
    expect(probe.status).toBe('ok')
    expect(native.status).toBe('ok')
    for (const k of ['model', 'vendor', 'sockets', 'cores', 'virtualizationExtension', 'aes', 'hypervisorFlag']) {
      expect(native.data![k], k).toEqual(probe.data![k])
    }
    // threads: the probe counts configured CPUs (nproc --all), native the online ones (os.cpus()): equal unless
    // a CPU is offline, which /sys/devices/system/cpu/offline says
    expect(native.data!.threads).toBe(probe.data!.threads)
    // mhz: the clock moves between two readings, and node/systeminformation read it from cpufreq only: a VM
    // without cpufreq (this one) has it from /proc/cpuinfo in the probe and not at all natively
    if (native.data!.mhz !== undefined && probe.data!.mhz !== undefined) {
      expect(Math.abs((native.data!.mhz as number) - (probe.data!.mhz as number))).toBeLessThanOrEqual((probe.data!.mhz as number) / 2)
    }
    // maxMhz: systeminformation keeps lscpu's maximum to 10 MHz (GHz with two decimals)
    expect(native.data!.maxMhz === undefined).toBe(probe.data!.maxMhz === undefined)
    if (native.data!.maxMhz !== undefined) expect(Math.abs((native.data!.maxMhz as number) - (probe.data!.maxMhz as number))).toBeLessThanOrEqual(10)
  })

  it('memory: total exactly, swap exactly, available close; modules status the same', async () => {
    const {probe, native} = await pair<Record<string, unknown>>(memoryNative)
    expect(native.data!.totalBytes).toBe(probe.data!.totalBytes)
    expect(native.data!.swapTotalBytes).toBe(probe.data!.swapTotalBytes)
    // free swap and available memory move between two readings
    expect(Math.abs((native.data!.swapFreeBytes as number) - (probe.data!.swapFreeBytes as number))).toBeLessThan(64 * 1024 ** 2)
    expect(Math.abs((native.data!.availableBytes as number) - (probe.data!.availableBytes as number))).toBeLessThan(256 * 1024 ** 2)
    expect(native.status).toBe(probe.status)
    expect(native.reason).toBe(probe.reason)
    expect(native.data!.modules === undefined).toBe(probe.data!.modules === undefined)
  })

  it('disks: names, sizes, rotation, kind, model, serial, vendor agree', async () => {
    const {probe, native} = await pair<{disks: Record<string, unknown>[]}>(disksNative)
    expect(native.status).toBe(probe.status)
    const keys = ['name', 'sizeBytes', 'rotational', 'kind', 'model', 'serial', 'vendor', 'removable', 'transport']
    const pick = (d: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, d[k]]))
    expect(native.data!.disks.map(pick)).toEqual(probe.data!.disks.map(pick))
    // not compared: readOnly, wwn and firmware, which blockDevices() does not give (native leaves them unknown)
  })

  describe('identity (no native collector: compared with systeminformation and node directly)', () => {
    let probe: Section<IdentityData>
    beforeAll(async () => {
      probe = (await viaProbe(identityProbe)) as Section<IdentityData>
    })

    it('host name and machine ID agree; the DMI part has the same status as the system section', async () => {
      const si = (await import('systeminformation')).default
      const [uuid, system] = await Promise.all([si.uuid(), systemNative.collect()])
      const os = await import('node:os')
      expect(probe.data!.hostname).toBe(os.hostname())
      expect(probe.data!.machineAppId).toBe(uuid.os ? appSpecificId(uuid.os) : undefined)
      expect(probe.data!.systemUuid).toBe(uuid.hardware || undefined)
      if (system.status === 'unavailable') expect(probe.reason).toMatch(/no DMI: system UUID, serial/)
    })
  })
})
