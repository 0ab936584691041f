import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const TimeSyncSchema = Obj({})
export type TimeSyncData = Static<typeof TimeSyncSchema>

export const timeSyncProbe = defineProbe({
  id: 'timeSync',
  title: 'Time synchronization',
  platforms: ['Linux'],
  schema: TimeSyncSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
