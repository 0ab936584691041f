import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const SysctlSchema = Obj({})
export type SysctlData = Static<typeof SysctlSchema>

export const sysctlProbe = defineProbe({
  id: 'sysctl',
  title: 'Kernel parameters',
  platforms: ['Linux'],
  schema: SysctlSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
