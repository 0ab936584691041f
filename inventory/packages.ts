import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const PackagesSchema = Obj({})
export type PackagesData = Static<typeof PackagesSchema>

export const packagesProbe = defineProbe({
  id: 'packages',
  title: 'Installed packages',
  platforms: ['Linux'],
  schema: PackagesSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
