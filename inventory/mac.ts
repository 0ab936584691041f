import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const MacSchema = Obj({})
export type MacData = Static<typeof MacSchema>

export const macProbe = defineProbe({
  id: 'mac',
  title: 'Mandatory access control (AppArmor, SELinux)',
  platforms: ['Linux'],
  schema: MacSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
