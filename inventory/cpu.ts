import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const CpuSchema = Obj({})
export type CpuData = Static<typeof CpuSchema>

export const cpuProbe = defineProbe({
  id: 'cpu',
  title: 'Processors',
  platforms: ['Linux'],
  schema: CpuSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
