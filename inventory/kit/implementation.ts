import type {Static} from '@sinclair/typebox'

import type {SectionStatus} from '../../src/model/section.js'
import type {AnySectionSpec} from '../../src/model/section-spec.js'
import type {Dialect} from '../../src/transport/transport.js'

/** What an implementation makes of what it read: a section's status, why it is not ok, and its data. */
export interface ProbeResult<T> {
  status: SectionStatus
  reason?: string
  data?: T
}

/**
 * How one section is read in one dialect. Every dialect's implementations have these; what they send and how they
 * read the answer is the dialect's (a posix-sh probe: named shell commands and an interpreter of their output).
 */
export interface Implementation<S extends AnySectionSpec = AnySectionSpec, D extends Dialect = Dialect> {
  /** The section it fills. */
  readonly section: S
  /** The dialect it speaks: a transport must run it for the implementation to be used on a target. */
  readonly dialect: D
  /** The section's id and title, from the section. */
  readonly id: S['id']
  readonly title: string
  /** The section's schema, which the data must match. */
  readonly schema: S['schema']
}

/** The data type of a section. */
export type DataOf<S extends AnySectionSpec> = Static<S['schema']>
