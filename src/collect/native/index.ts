import type {NativeCollector} from '../native-collector.js'
import {cpuNative} from './cpu.js'
import {disksNative} from './disks.js'
import {memoryNative} from './memory.js'
import {systemNative} from './system.js'

/** systeminformation collectors for the local machine, one line each. */
export const nativeCollectors: readonly NativeCollector[] = [
  systemNative,
  cpuNative,
  memoryNative,
  disksNative,
]
