import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const MemorySchema = Obj({})
export type MemoryData = Static<typeof MemorySchema>

export const memoryProbe = defineProbe({
  id: 'memory',
  title: 'Memory',
  platforms: ['Linux'],
  schema: MemorySchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
