import type {Static} from '@sinclair/typebox'

import {Arr, Obj, Opt, Str} from './schema-helpers.js'

/**
 * Sections read whatever --sections or --skip ask: every report names the machine by `identity`, and checks decide by
 * `os` whether they apply to a host (without it, every check bound to a distribution would be unknown).
 */
export const ALWAYS_COLLECTED = ['identity', 'os'] as const

/**
 * Which sections a collection was asked for, as a snapshot's meta records it: `sections` (--sections: only these, and
 * the ones always collected) or `skip` (--skip: all but these), and the sections left out because of it. Absent from
 * a snapshot of every section.
 */
const Id = Str({pattern: '^[a-z][a-zA-Z0-9]*$'})
export const SectionSelectionSchema = Obj(
  {
    /** --sections: the sections asked for, ids as the catalog spells them. */
    sections: Opt(Arr(Id)),
    /** --skip: the sections left out, ids as the catalog spells them. */
    skip: Opt(Arr(Id)),
    /** The sections not collected because of it (status `skipped`), in catalog order. */
    skipped: Arr(Id),
  },
  {description: 'The sections a collection was asked for (--sections or --skip) and those it left out.'},
)
export type SectionSelection = Static<typeof SectionSelectionSchema>

/** The flag as it was given, ids as the catalog spells them: `--sections os,packages`, `--skip updates`. */
export function selectionFlag(selection: Pick<SectionSelection, 'sections' | 'skip'>): string {
  return selection.sections ? `--sections ${selection.sections.join(',')}` : `--skip ${(selection.skip ?? []).join(',')}`
}

/** A skipped section's reason: `not collected: skipped (--skip updates,packages)`. */
export function skippedReason(selection: Pick<SectionSelection, 'sections' | 'skip'>): string {
  return `not collected: skipped (${selectionFlag(selection)})`
}
