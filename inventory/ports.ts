import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const PortsSchema = Obj({})
export type PortsData = Static<typeof PortsSchema>

export const portsProbe = defineProbe({
  id: 'ports',
  title: 'Listening ports',
  platforms: ['Linux'],
  schema: PortsSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
