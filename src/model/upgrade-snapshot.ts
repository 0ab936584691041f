import type {Section} from './section.js'
import {sectionCatalog} from './sections/index.js'
import {SNAPSHOT_SCHEMA_VERSION} from './snapshot.js'
import {SnapshotValidationError} from './validate.js'

/** Envelope versions this build reads, the current one last: older ones are upgraded. */
export const READABLE_SNAPSHOT_VERSIONS = ['1.0.0', SNAPSHOT_SCHEMA_VERSION] as const

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Brings a snapshot read from a file or a store (parsed JSON) to the current version, in place: every section of an
 * older version through its spec's upgrades (a section without a version is version 1), then the envelope's version.
 * What it cannot make sense of is left for validation to refuse. A section newer than this build knows is refused:
 * reading it as the current shape could misread it.
 */
export function upgradeSnapshot(value: unknown, source = 'snapshot'): unknown {
  if (!isObject(value) || !(READABLE_SNAPSHOT_VERSIONS as readonly unknown[]).includes(value.schemaVersion) || !isObject(value.sections)) return value
  const sections = value.sections
  for (const spec of sectionCatalog) {
    const section = sections[spec.id]
    if (!isObject(section)) continue
    const from = section.version ?? 1
    if (typeof from !== 'number' || !Number.isInteger(from) || from < 1 || (from === spec.version && section.version !== undefined)) continue
    if (from > spec.version) {
      throw new SnapshotValidationError([`/sections/${spec.id}/version is ${from}: this hatang reads ${spec.id} up to version ${spec.version} — read it with a newer hatang`], source)
    }
    let upgraded = section as unknown as Section<unknown>
    for (const step of spec.upgrades.slice(from - 1)) upgraded = step.upgrade(upgraded)
    sections[spec.id] = withVersion(upgraded, spec.version)
  }
  value.schemaVersion = SNAPSHOT_SCHEMA_VERSION
  return value
}

/** The section with its version right after its status, where a collected section has it. */
function withVersion(section: Section<unknown>, version: number): Section<unknown> {
  const {status, version: _old, ...rest} = section
  return {status, version, ...rest}
}
