import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const VirtualizationSchema = Obj({})
export type VirtualizationData = Static<typeof VirtualizationSchema>

export const virtualizationProbe = defineProbe({
  id: 'virtualization',
  title: 'Virtualization and containers',
  platforms: ['Linux'],
  schema: VirtualizationSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
