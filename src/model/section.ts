import type {Static, TSchema} from '@sinclair/typebox'
import {Type} from './type-builder.js'

import {NonNegInt, Obj, Opt, Str, StringEnum} from './schema-helpers.js'

/**
 * What happened to a section. A reader can always tell "none" (ok with an empty list) from
 * "unknown" (unavailable, error or timeout, with a reason), and both from "not asked for" (`skipped`: the auditor left
 * it out with --sections or --skip; nothing was sent to the host for it).
 */
export const SECTION_STATUSES = ['ok', 'partial', 'unavailable', 'error', 'timeout', 'skipped'] as const
export type SectionStatus = (typeof SECTION_STATUSES)[number]
export const SectionStatusSchema = StringEnum(SECTION_STATUSES)

/** The statuses of a section that was read: its data is there, whole (`ok`) or in part (`partial`, with the reason). */
export const READ_STATUSES = ['ok', 'partial'] as const satisfies readonly SectionStatus[]

/**
 * What "read" means for a section, once: `ok` or `partial`, its data there (whole or in part). Everything else (or no
 * section) is unknown. A host's "collected" is another word: isCollected (host-status.ts).
 */
export const isRead = (status: SectionStatus | undefined): boolean => status === 'ok' || status === 'partial'

export const SECTION_SOURCES = ['probe', 'native'] as const
export type SectionSource = (typeof SECTION_SOURCES)[number]

/** The envelope every section of a snapshot has, around the probe's own data. */
export function sectionSchema<T extends TSchema>(data: T, description: string) {
  return Obj(
    {
      status: SectionStatusSchema,
      /** The version of the section's shape (its spec's version when written); absent in snapshots written before sections had versions: 1. */
      version: Opt(NonNegInt({minimum: 1})),
      /** Why the section is not ok: `not installed`, `needs root`, `no DMI`, `timeout after 10 s`, `not collected: skipped (--skip updates)`… */
      reason: Opt(Str({minLength: 1})),
      source: StringEnum(SECTION_SOURCES),
      durationMs: NonNegInt(),
      data: Opt(data),
    },
    {
      description,
      allOf: [
        {if: {properties: {status: {enum: [...READ_STATUSES]}}}, then: {required: ['data']}},
        {if: {properties: {status: {enum: ['unavailable', 'error', 'timeout', 'skipped', 'partial']}}}, then: {required: ['reason']}},
      ],
    },
  )
}

export type Section<T> = {
  status: SectionStatus
  version?: number
  reason?: string
  source: SectionSource
  durationMs: number
  data?: T
}

export const AnySectionSchema = sectionSchema(Type.Unknown(), 'any section')
export type AnySection = Static<typeof AnySectionSchema>
