import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const SystemSchema = Obj({})
export type SystemData = Static<typeof SystemSchema>

export const systemProbe = defineProbe({
  id: 'system',
  title: 'System and BIOS (DMI)',
  platforms: ['Linux'],
  schema: SystemSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
