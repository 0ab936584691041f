import type {NativeCollector} from '../native-collector.js'

/**
 * The sections native collectors cover, known without loading systeminformation (~100 ms), so the shell
 * batches for every other section can start first. A test keeps this list equal to index.ts.
 */
export const nativeSectionIds: readonly string[] = ['system', 'cpu', 'memory', 'disks']

export async function loadNativeCollectors(): Promise<readonly NativeCollector[]> {
  return (await import('./index.js')).nativeCollectors
}
