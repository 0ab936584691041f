import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const AccountsSchema = Obj({})
export type AccountsData = Static<typeof AccountsSchema>

export const accountsProbe = defineProbe({
  id: 'accounts',
  title: 'Accounts and groups',
  platforms: ['Linux'],
  schema: AccountsSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
