import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const FirewallSchema = Obj({})
export type FirewallData = Static<typeof FirewallSchema>

export const firewallProbe = defineProbe({
  id: 'firewall',
  title: 'Firewall',
  platforms: ['Linux'],
  schema: FirewallSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
