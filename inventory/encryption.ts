import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const EncryptionSchema = Obj({})
export type EncryptionData = Static<typeof EncryptionSchema>

export const encryptionProbe = defineProbe({
  id: 'encryption',
  title: 'Disk encryption',
  platforms: ['Linux'],
  schema: EncryptionSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
