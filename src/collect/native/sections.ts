import type {SectionId} from '../../model/sections/index.js'
import type {NativeCollector} from '../native-collector.js'

/**
 * The systeminformation collectors of the local machine, by the section each fills: one line each. Each is loaded
 * only when wanted (systeminformation costs ~100 ms), so the shell batches of every other section start first.
 */
const loaders: Partial<Record<SectionId, () => Promise<NativeCollector>>> = {
  system: async () => (await import('./system.js')).systemNative,
  cpu: async () => (await import('./cpu.js')).cpuNative,
  memory: async () => (await import('./memory.js')).memoryNative,
  disks: async () => (await import('./disks.js')).disksNative,
}

/** The sections native collectors cover, known without loading systeminformation. */
export const nativeSectionIds: readonly string[] = Object.keys(loaders)

export async function loadNativeCollectors(): Promise<readonly NativeCollector[]> {
  return Promise.all(Object.values(loaders).map((load) => load()))
}
