import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {NonNegInt, Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const MemoryModuleSchema = Obj({
  sizeBytes: NonNegInt(),
  /** DDR4, DDR5, LPDDR4… */
  type: Opt(Str()),
  /** Rated speed, MT/s. */
  speedMts: Opt(NonNegInt()),
  /** Speed the module is configured to run at, MT/s. */
  configuredSpeedMts: Opt(NonNegInt()),
  formFactor: Opt(Str()),
  manufacturer: Opt(Str()),
  partNumber: Opt(Str()),
  serial: Opt(Str()),
  /** Slot name as the board labels it: DIMM_A1, ChannelA-DIMM0… */
  locator: Opt(Str()),
  bankLocator: Opt(Str()),
})
export type MemoryModule = Static<typeof MemoryModuleSchema>

export const MemorySchema = Obj({
  /** MemTotal of /proc/meminfo, in bytes. */
  totalBytes: NonNegInt(),
  /** MemAvailable (kernel estimate of memory available without swapping). */
  availableBytes: Opt(NonNegInt()),
  swapTotalBytes: Opt(NonNegInt()),
  swapFreeBytes: Opt(NonNegInt()),
  /** Installed modules (DMI type 17, populated slots only); absent when unknown (see the reason). */
  modules: Opt(Type.Array(MemoryModuleSchema)),
  /** Memory slots on the board, populated or not. */
  slots: Opt(NonNegInt()),
})
export type MemoryData = Static<typeof MemorySchema>

export const memorySection = defineSection({
  id: 'memory',
  title: 'Memory',
  version: 1,
  schema: MemorySchema,
  upgrades: [],
})
