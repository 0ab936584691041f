import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const DisksSchema = Obj({})
export type DisksData = Static<typeof DisksSchema>

export const disksProbe = defineProbe({
  id: 'disks',
  title: 'Physical disks',
  platforms: ['Linux'],
  schema: DisksSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
