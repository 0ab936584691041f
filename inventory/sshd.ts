import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const SshdSchema = Obj({})
export type SshdData = Static<typeof SshdSchema>

export const sshdProbe = defineProbe({
  id: 'sshd',
  title: 'SSH server',
  platforms: ['Linux'],
  schema: SshdSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
