import type {Static} from '@sinclair/typebox'

import {defineProbe} from '../src/collect/probe.js'
import {Obj} from '../src/model/schema-helpers.js'

// STUB: to be implemented
export const FilesystemsSchema = Obj({})
export type FilesystemsData = Static<typeof FilesystemsSchema>

export const filesystemsProbe = defineProbe({
  id: 'filesystems',
  title: 'Filesystems',
  platforms: ['Linux'],
  schema: FilesystemsSchema,
  commands: {},
  interpret: () => ({status: 'unavailable', reason: 'not implemented yet'}),
})
