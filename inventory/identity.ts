import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const IdentitySchema = Obj({})
export type IdentityData = Static<typeof IdentitySchema>

export const identityProbe = defineProbe({
  id: 'identity',
  title: 'Identity',
  platforms: ['Linux'],
  schema: IdentitySchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
