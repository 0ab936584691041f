import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const ServicesSchema = Obj({})
export type ServicesData = Static<typeof ServicesSchema>

export const servicesProbe = defineProbe({
  id: 'services',
  title: 'Services',
  platforms: ['Linux'],
  schema: ServicesSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
