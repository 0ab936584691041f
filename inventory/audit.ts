import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const AuditSchema = Obj({})
export type AuditData = Static<typeof AuditSchema>

export const auditProbe = defineProbe({
  id: 'audit',
  title: 'Audit daemon',
  platforms: ['Linux'],
  schema: AuditSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
