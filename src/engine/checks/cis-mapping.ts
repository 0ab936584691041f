import type {Static} from '@sinclair/typebox'
import {Type} from '../../model/type-builder.js'

import type {ConfigError} from '../../config/config-error.js'
import type {Segments} from '../../config/error-at.js'
import {Arr, Obj, Opt, Str, StringEnum} from '../../model/schema-helpers.js'
import {checkDataFile, loadDataSet} from './data-file.js'
import type {Pack} from './pack.js'

/** How much of a recommendation a check judges: all of it, or part (another threshold, one half): the note says how. */
export const CIS_COVERS = ['all', 'part'] as const

/** Where a recommendation id was read: the control file of a repository at a commit, and the day it was read. */
const SourceSchema = Obj({repo: Str({minLength: 1}), path: Str({minLength: 1}), commit: Str({pattern: '^[0-9a-f]{40}$'}), read: Str({format: 'date'})})

/** One CIS recommendation as a check's references carry it: the benchmark and its edition, the id as published. */
export const CisReferenceSchema = Obj({
  benchmark: Str({minLength: 1}),
  edition: Str({minLength: 1}),
  id: Str({pattern: '^\\d+(\\.\\d+)*$'}),
  title: Opt(Str({minLength: 1})),
  covers: Opt(StringEnum(CIS_COVERS)),
  note: Opt(Str({minLength: 1})),
  /** The ComplianceAsCode rules the control maps. */
  rules: Opt(Arr(Str({minLength: 1}))),
  source: Opt(SourceSchema),
})
export type CisReference = Static<typeof CisReferenceSchema>

const EntrySchema = Obj({
  /** A key of `benchmarks`. */
  benchmark: Str({minLength: 1}),
  id: Str({pattern: '^\\d+(\\.\\d+)*$'}),
  title: Str({minLength: 1}),
  rules: Arr(Str({minLength: 1})),
  covers: StringEnum(CIS_COVERS),
  note: Opt(Str({minLength: 1})),
})

export const CisMappingSchema = Obj(
  {
    benchmarks: Type.Record(
      Str({pattern: '^[a-z0-9][a-z0-9.-]*$'}),
      Obj({name: Str({minLength: 1}), edition: Str({pattern: '^\\d+\\.\\d+\\.\\d+$'}), source: SourceSchema}),
    ),
    /** Check id → the recommendations it relates to. */
    mappings: Type.Record(Str({pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'}), Arr(EntrySchema, {minItems: 1})),
  },
  {$id: 'urn:hatang:schema:cis-mapping', title: 'hatang CIS Benchmark mapping'},
)
export type CisMapping = Static<typeof CisMappingSchema>

export const CIS_MAPPING = 'cis'

/** What the schema cannot say: a benchmark that is declared, a note where a check covers part, no id cited twice. */
function mappingProblems(m: CisMapping, at: (segs: Segments, problem: string) => ConfigError): ConfigError[] {
  const problems: ConfigError[] = []
  for (const [check, entries] of Object.entries(m.mappings)) {
    const seen = new Set<string>()
    entries.forEach((e, i) => {
      if (!(e.benchmark in m.benchmarks)) problems.push(at(['mappings', check, i, 'benchmark'], `names no benchmark of this file ('${e.benchmark}'; benchmarks: ${Object.keys(m.benchmarks).join(', ')})`))
      if (e.covers === 'part' && !e.note) problems.push(at(['mappings', check, i], 'covers part of the recommendation: say how in a note'))
      if (seen.has(`${e.benchmark} ${e.id}`)) problems.push(at(['mappings', check, i, 'id'], `cites ${e.benchmark} ${e.id} twice`))
      seen.add(`${e.benchmark} ${e.id}`)
    })
  }
  return problems
}

/** Reads checks/data/cis.yaml (validated; ConfigError at file:line), once. */
export function loadCisMapping(file = checkDataFile(CIS_MAPPING)): CisMapping {
  return loadDataSet<CisMapping>(CIS_MAPPING, file, CisMappingSchema, mappingProblems)
}

/** The references.cis of one check the mapping names, each with its benchmark's name, edition and source. */
export function cisReferences(mapping: CisMapping, check: string): CisReference[] | undefined {
  return mapping.mappings[check]?.map((e) => {
    const b = mapping.benchmarks[e.benchmark]!
    return {benchmark: b.name, edition: b.edition, id: e.id, title: e.title, covers: e.covers, ...(e.note ? {note: e.note} : {}), rules: e.rules, source: b.source}
  })
}

/**
 * The CIS recommendations of every check the mapping names, written into the check's references (the mapping file
 * wins over a pack's own `references.cis`, so the citations change in one place).
 */
export function applyCisMapping<P extends Pick<Pack, 'checks'>>(pack: P, mapping: CisMapping = loadCisMapping()): P {
  return {
    ...pack,
    checks: pack.checks.map((c) => {
      const cis = cisReferences(mapping, c.id)
      return cis ? {...c, references: {...c.references, cis}} : c
    }),
  }
}
