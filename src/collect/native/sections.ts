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

/** uname's name of a Node platform: what the probes' `platforms` say. */
const UNAME: Partial<Record<NodeJS.Platform, string>> = {linux: 'Linux', darwin: 'Darwin', freebsd: 'FreeBSD', openbsd: 'OpenBSD', netbsd: 'NetBSD', sunos: 'SunOS', aix: 'AIX'}

/**
 * The sections systeminformation reads on the local machine: every one it covers with --native (`true`), none with
 * --no-native (`false`), and by default (`undefined`) those that no probe reads on this platform: none on Linux, where
 * the probes read the same facts (test/integration/native-agreement.test.ts holds them to it field by field) for less
 * CPU (systeminformation starts ~8 programs from the Node process: ~30 ms) and as they are read on every remote host;
 * all of them on Windows.
 */
export function nativeSectionsWanted(native: boolean | undefined, probes: readonly {section: {id: string}; platforms: readonly string[]}[], platform: NodeJS.Platform = process.platform): readonly string[] {
  if (native !== undefined) return native ? nativeSectionIds : []
  const name = UNAME[platform]
  return nativeSectionIds.filter((id) => !probes.some((p) => p.section.id === id && name !== undefined && p.platforms.includes(name)))
}

/**
 * collectHost's option for the sections nativeSectionsWanted gives: their loader, or none when it gives none, and
 * systeminformation is then never loaded.
 */
export function nativeOptionOf(native: boolean | undefined, probes: Parameters<typeof nativeSectionsWanted>[1]): {nativeLoader: {ids: readonly string[]; load: typeof loadNativeCollectors}} | Record<never, never> {
  const ids = nativeSectionsWanted(native, probes)
  return ids.length > 0 ? {nativeLoader: {ids, load: loadNativeCollectors}} : {}
}
