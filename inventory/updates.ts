import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const UpdatesSchema = Obj({})
export type UpdatesData = Static<typeof UpdatesSchema>

export const updatesProbe = defineProbe({
  id: 'updates',
  title: 'Pending updates',
  platforms: ['Linux'],
  schema: UpdatesSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
