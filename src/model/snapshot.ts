import type {Static, TOptional} from '@sinclair/typebox'
import {Type} from './type-builder.js'

import {HOST_STATUSES} from './host-status.js'
import {Bool, Int, NonNegInt, Obj, Opt, Str, StringEnum} from './schema-helpers.js'
import {AnySectionSchema, SECTION_SOURCES, SectionStatusSchema, sectionSchema, type Section} from './section.js'
import type {SectionSpec} from './section-spec.js'
import {GroupReferenceSchema} from './group-reference.js'
import {SectionSelectionSchema} from './section-selection.js'
import {UnitSchema} from './unit.js'
import {sectionCatalog, type CatalogSection} from './sections/index.js'
import {TRANSPORT_KINDS} from './transport-kind.js'

/**
 * The version of the snapshot's envelope (host, meta, which sections): major when a reader of the old one would break.
 * Each section has its own version (its spec's). 2.0.0: sections may be absent (a platform that has not them) and
 * carry their version. Readers upgrade older snapshots first (upgrade-snapshot.ts).
 */
export const SNAPSHOT_SCHEMA_VERSION = '2.0.0'
export const SNAPSHOT_SCHEMA_ID = 'urn:hatang:schema:snapshot:2'

export const ProbeRunSchema = Obj({
  id: Str(),
  status: SectionStatusSchema,
  source: StringEnum(SECTION_SOURCES),
  durationMs: NonNegInt(),
  commands: NonNegInt(),
})

export const ClockSchema = Obj(
  {
    hostTime: Str({format: 'date-time'}),
    auditorTime: Str({format: 'date-time'}),
    /** Host clock minus auditor clock, ms; positive when the host runs ahead. */
    skewMs: Int(),
    /** Half the round trip: the skew is known to within this many ms. */
    uncertaintyMs: NonNegInt(),
  },
  {description: "The host's clock compared with the auditor's when the collection started."},
)

export const MetaSchema = Obj({
  tool: Obj({name: Str(), version: Str()}),
  collectedAt: Str({format: 'date-time'}),
  durationMs: NonNegInt(),
  transport: StringEnum(TRANSPORT_KINDS),
  target: Str(),
  /** `uname -s` of the host (or node's platform name where there is no shell). */
  platform: Str(),
  uid: Opt(NonNegInt()),
  privileged: Bool(),
  /** True when systeminformation collected the hardware sections. */
  native: Bool(),
  probes: Type.Array(ProbeRunSchema),
  batches: Type.Array(Obj({commands: NonNegInt(), durationMs: NonNegInt(), failure: Opt(Str())})),
  clock: Opt(ClockSchema),
  /** The sections asked for (--sections or --skip) and those left out; absent when every section was asked for. */
  selection: Opt(SectionSelectionSchema),
})

/** Who the host is in the inventory, and how its collection went. */
export const HostSchema = Obj({
  name: Str({minLength: 1}),
  address: Opt(Str()),
  port: Opt(Int({minimum: 1, maximum: 65535})),
  groups: Opt(Type.Array(Str())),
  tags: Opt(Type.Array(Str())),
  role: Opt(Str()),
  /** The unit the host belongs to, as the inventory gives it (absent when it gives none, and in older snapshots). */
  unit: Opt(UnitSchema),
  /** What the host's groups declare right (hosts.yaml `reference:`), for the fleet checks; absent when none does. */
  references: Opt(Type.Array(GroupReferenceSchema)),
  /** ok, partial (some sections failed), or why the host was not collected. */
  status: StringEnum(HOST_STATUSES),
  reason: Opt(Str()),
})

type SectionOf<P> = P extends SectionSpec<string, infer S> ? Section<Static<S>> : never
type SectionsOf<P extends {id: string}> = {[K in P as K['id']]: SectionOf<K>}

/** Every catalog section, optional, each with its own data's schema; or (`envelope`) any of them, data unchecked. */
function sectionsSchema(envelope = false) {
  if (envelope) return Type.Unsafe<Record<string, unknown>>({type: 'object', propertyNames: {enum: sectionCatalog.map((s) => s.id)}, additionalProperties: AnySectionSchema})
  const properties: Record<string, TOptional<ReturnType<typeof sectionSchema>>> = {}
  for (const spec of sectionCatalog) properties[spec.id] = Opt(sectionSchema(spec.schema, spec.title))
  return Obj(properties)
}

const envelopeProperties = (envelope: boolean) => ({
  schemaVersion: Type.Literal(SNAPSHOT_SCHEMA_VERSION),
  host: HostSchema,
  meta: MetaSchema,
  sections: sectionsSchema(envelope),
})

export const SnapshotSchema = Type.Object(
  envelopeProperties(false),
  {
    $id: SNAPSHOT_SCHEMA_ID,
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'hatang host snapshot',
    description:
      "One host's inventory, as collected by one run. Every section this build can read on the host's platform is present, with a status that explains any absence of data; a section the platform has not may be absent.",
    additionalProperties: false,
  },
)

/**
 * The snapshot as collect checks what it built: the envelope (host, meta, which sections, each section's status,
 * reason and version) in full, each section's data unchecked, because each was checked against its own schema
 * when it was made (src/collect/normalise-section.ts). Checking it all again cost a collect ~60 ms of CPU, most of
 * it to load the snapshot's validator (1.2 MB). Never for a snapshot read from a file or a store: SnapshotSchema.
 */
export const SnapshotEnvelopeSchema = Type.Object(envelopeProperties(true), {
  $id: `${SNAPSHOT_SCHEMA_ID}:envelope`,
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'hatang host snapshot, its envelope',
  additionalProperties: false,
})

export type SnapshotMeta = Static<typeof MetaSchema>
/**
 * The sections as this build collects them: every catalog section present (one it cannot read says why). A snapshot
 * of another platform, read from a file or the store, may lack some: code that reads a section by id from any
 * snapshot treats an absent one as unknown (see test/unit/checks/absent-sections.test.ts).
 */
export type SnapshotSections = SectionsOf<CatalogSection>
export interface Snapshot {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION
  host: Static<typeof HostSchema>
  meta: SnapshotMeta
  sections: SnapshotSections
}
