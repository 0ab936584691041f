import {type Static} from '@sinclair/typebox'

import {Arr, Obj, Opt, Str} from './schema-helpers.js'

/**
 * A unit (đơn vị) is where a host belongs in the organisation: a path from the top down, `bo-noi-vu/vu-to-chuc-can-bo`
 * or `tinh/ha-noi/so-noi-vu`, so that runs of every site roll up into one tree (ministry → department → province).
 * Segments are letters (any script, with their combining marks), digits and `-` `_` `.`, not dots alone; joined
 * by `/`, none empty. Compared in Unicode NFC (`unitPath`), so `hà-nội` typed either way is one unit.
 */
const SEGMENT = String.raw`(?!\.+(?:/|$))[\p{L}\p{M}\p{N}_.\-]+`
export const UNIT_PATH_PATTERN = `^${SEGMENT}(?:/${SEGMENT})*$`
const UNIT_PATH = new RegExp(UNIT_PATH_PATTERN, 'u')

/** What a unit path may be, for messages. */
export const UNIT_PATH_RULE = "segments of letters, digits, '-', '_' and '.' joined by '/', e.g. 'bo-noi-vu/vu-to-chuc-can-bo'"

const UnitRefSchema = Obj({
  path: Str({pattern: UNIT_PATH_PATTERN, description: 'Where the unit is in the organisation, outermost first.'}),
  vi: Str({minLength: 1, description: 'Its name in Vietnamese.'}),
  en: Str({minLength: 1, description: 'Its name in English (the Vietnamese one where none was given).'}),
})

/** A host's unit, and the units above it whose names the inventory gives (outermost first; absent when none). */
export const UnitSchema = Obj({
  ...UnitRefSchema.properties,
  parents: Opt(Arr(UnitRefSchema, {description: 'Named units above this one, outermost first; an ancestor not named is known by its path only.'})),
})

export type Unit = Static<typeof UnitSchema>

/** The path in NFC, or undefined when it is not a unit path. */
export function unitPath(text: string): string | undefined {
  const path = text.normalize('NFC')
  return UNIT_PATH.test(path) ? path : undefined
}

/** The paths above a unit, outermost first: `a/b/c` → `a`, `a/b`. */
export function ancestorPaths(path: string): string[] {
  const segments = path.split('/')
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'))
}
