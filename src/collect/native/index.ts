import type {NativeCollector} from '../native-collector.js'

/** systeminformation collectors for the local machine, one line each. */
export const nativeCollectors: readonly NativeCollector[] = []
