import type {Static} from '@sinclair/typebox'
import {Type} from '../../model/type-builder.js'

import {Obj, Opt, Str, StringEnum} from '../../model/schema-helpers.js'
import {checkDataFile, loadDataSet} from './data-file.js'
import type {Pack} from './pack.js'

export const TCVN_GROUPS = ['network', 'server', 'application', 'data'] as const

const Bilingual = Obj({vi: Str({minLength: 1}), en: Str({minLength: 1})})
const Group = StringEnum(TCVN_GROUPS)

/** One check's legal basis: the requirement group, and the clause only once the organisation's legal staff confirmed it. */
const MappingSchema = Type.Union([
  Obj({group: Group, confirmed: Type.Literal(false), note: Opt(Str())}),
  Obj({group: Group, confirmed: Type.Literal(true), clause: Str({minLength: 1}), note: Opt(Str())}),
])

export const TcvnMappingSchema = Obj(
  {
    standard: Type.Literal('TCVN 11930:2017'),
    title: Bilingual,
    /** The technical requirement groups of the standard. */
    groups: Obj(Object.fromEntries(TCVN_GROUPS.map((g) => [g, Bilingual])) as Record<(typeof TCVN_GROUPS)[number], typeof Bilingual>),
    /** Check id → its group. */
    mappings: Type.Record(Str({pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'}), MappingSchema),
  },
  {$id: 'urn:hatang:schema:tcvn-mapping', title: 'hatang TCVN 11930:2017 mapping'},
)
export type TcvnMapping = Static<typeof TcvnMappingSchema>

export const TCVN_MAPPING = 'tcvn-11930'

/** Reads checks/data/tcvn-11930.yaml (validated; ConfigError at file:line), once. */
export function loadTcvnMapping(file = checkDataFile(TCVN_MAPPING)): TcvnMapping {
  return loadDataSet<TcvnMapping>(TCVN_MAPPING, file, TcvnMappingSchema)
}

/**
 * The TCVN 11930:2017 group of every check the mapping names, written into the check's references (the mapping
 * file wins over a pack's own `references.tcvn`, so legal staff change the basis in one place).
 */
export function applyTcvnMapping<P extends Pick<Pack, 'checks'>>(pack: P, mapping: TcvnMapping = loadTcvnMapping()): P {
  return {
    ...pack,
    checks: pack.checks.map((c) => {
      const m = mapping.mappings[c.id]
      if (!m) return c
      const tcvn = {group: m.group, status: m.confirmed ? ('confirmed' as const) : ('unconfirmed' as const), ...(m.confirmed ? {clause: m.clause} : {})}
      return {...c, references: {...c.references, tcvn}}
    }),
  }
}
