import type {TSchema} from '@sinclair/typebox'

import {compile, formatErrors} from './compile-schema.js'
import {SnapshotEnvelopeSchema, SnapshotSchema, type Snapshot} from './snapshot.js'

// where they were first: importers of this module keep them here
export {compile, formatErrors, newAjv} from './compile-schema.js'

export const sectionKey = (probeId: string) => `section_${probeId}`

export class SnapshotValidationError extends Error {
  override readonly name = 'SnapshotValidationError'
  constructor(readonly problems: string[], source = 'snapshot') {
    super(`${source} does not match the snapshot schema:\n  ${problems.join('\n  ')}`)
  }
}

export function validateSnapshot(value: unknown, source?: string): asserts value is Snapshot {
  const fn = compile(SnapshotSchema, 'snapshot')
  if (!fn(value)) throw new SnapshotValidationError(formatErrors(fn.errors), source)
}

/**
 * Checks a snapshot this process just collected: its envelope only, since each section's data was checked against
 * its section's schema when it was made (src/collect/normalise-section.ts). A snapshot from anywhere else: validateSnapshot.
 */
export function validateCollected(value: unknown, source?: string): asserts value is Snapshot {
  const fn = compile(SnapshotEnvelopeSchema, 'snapshot-envelope')
  if (!fn(value)) throw new SnapshotValidationError(formatErrors(fn.errors), source)
}

/** Returns the problems of a value against a schema; empty when it is valid. */
export function problemsOf(schema: TSchema, value: unknown, key?: string): string[] {
  const fn = compile(schema, key)
  return fn(value) ? [] : formatErrors(fn.errors)
}
