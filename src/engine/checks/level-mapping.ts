import type {Static} from '@sinclair/typebox'
import {Type} from '../../model/type-builder.js'

import type {ConfigError} from '../../config/config-error.js'
import type {Segments} from '../../config/error-at.js'
import {Int, Obj, Opt, Str, StringEnum} from '../../model/schema-helpers.js'
import {checkDataFile, loadDataSet} from './data-file.js'
import type {Pack} from './pack.js'

/** The security levels (cấp độ) of Decree 85/2016/ND-CP and Circular 12/2022/TT-BTTTT. */
export const SECURITY_LEVELS = [1, 2, 3, 4, 5] as const
export type SecurityLevel = (typeof SECURITY_LEVELS)[number]

const Bilingual = Obj({vi: Str({minLength: 1}), en: Str({minLength: 1})})
const Level = Int({minimum: SECURITY_LEVELS[0], maximum: SECURITY_LEVELS.at(-1)})
const Area = Str({pattern: '^[a-z][a-z-]*$'})

/** The lowest level whose systems must pass a check, and the area it serves; the clause only once legal staff confirmed it. */
const MappingSchema = Type.Union([
  Obj({level: Level, area: Area, confirmed: Type.Literal(false), note: Opt(Str())}),
  Obj({level: Level, area: Area, confirmed: Type.Literal(true), clause: Str({minLength: 1}), note: Opt(Str())}),
])

/** A check's level as its references carry it. */
export const LevelReferenceSchema = Obj({
  framework: Str({minLength: 1}),
  /** The lowest level whose systems must pass the check. */
  level: Level,
  area: Area,
  clause: Opt(Str({minLength: 1})),
  status: StringEnum(['confirmed', 'unconfirmed']),
})
export type LevelReference = Static<typeof LevelReferenceSchema>

export const LevelMappingSchema = Obj(
  {
    framework: Type.Literal('Circular 12/2022/TT-BTTTT'),
    title: Bilingual,
    /** The requirement areas a check serves; an area no check judges is declared all the same. */
    areas: Type.Record(Area, Bilingual),
    /** Check id → its level and area. */
    mappings: Type.Record(Str({pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'}), MappingSchema),
  },
  {$id: 'urn:hatang:schema:level-mapping', title: 'hatang security level mapping (Circular 12/2022/TT-BTTTT)'},
)
export type LevelMapping = Static<typeof LevelMappingSchema>

export const LEVEL_MAPPING = 'levels'

function mappingProblems(m: LevelMapping, at: (segs: Segments, problem: string) => ConfigError): ConfigError[] {
  return Object.entries(m.mappings)
    .filter(([, e]) => !(e.area in m.areas))
    .map(([check]) => at(['mappings', check, 'area'], `names no area of this file (areas: ${Object.keys(m.areas).join(', ')})`))
}

/** Reads checks/data/levels.yaml (validated; ConfigError at file:line), once. */
export function loadLevelMapping(file = checkDataFile(LEVEL_MAPPING)): LevelMapping {
  return loadDataSet<LevelMapping>(LEVEL_MAPPING, file, LevelMappingSchema, mappingProblems)
}

/** The level reference of one check the mapping names. */
export function levelReference(mapping: LevelMapping, check: string): LevelReference | undefined {
  const m = mapping.mappings[check]
  if (!m) return undefined
  return {framework: mapping.framework, level: m.level, area: m.area, ...(m.confirmed ? {clause: m.clause} : {}), status: m.confirmed ? 'confirmed' : 'unconfirmed'}
}

/** The level of every check the mapping names, written into the check's references (the mapping file wins). */
export function applyLevelMapping<P extends Pick<Pack, 'checks'>>(pack: P, mapping: LevelMapping = loadLevelMapping()): P {
  return {
    ...pack,
    checks: pack.checks.map((c) => {
      const level = levelReference(mapping, c.id)
      return level ? {...c, references: {...c.references, level}} : c
    }),
  }
}
