import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const NetworkSchema = Obj({})
export type NetworkData = Static<typeof NetworkSchema>

export const networkProbe = defineProbe({
  id: 'network',
  title: 'Network',
  platforms: ['Linux'],
  schema: NetworkSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
