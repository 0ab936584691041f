import type {TSchema} from '@sinclair/typebox'

import type {Section} from './section.js'

/** One step of a section's history: turns a section of version `to - 1` into version `to`. Pure; never throws for data it does not expect. */
export interface SectionUpgrade {
  readonly to: number
  /** What changed, in a sentence. */
  readonly why: string
  upgrade(section: Section<unknown>): Section<unknown>
}

/**
 * One inventory section: its key in a snapshot, its title, the JSON Schema (TypeBox) of its data, its version and the
 * upgrades that bring an older section to it. A section says nothing of how it is read: that is an implementation's
 * job (inventory/), in a dialect a transport runs.
 */
export interface SectionSpec<Id extends string = string, S extends TSchema = TSchema> {
  /** The section's key in the snapshot (camelCase). */
  readonly id: Id
  readonly title: string
  /** JSON Schema (TypeBox) of the section's data. */
  readonly schema: S
  /** 1 for the first shape; bumped, with an upgrade, whenever a section of the previous version would not read as this one. */
  readonly version: number
  /** One per version after the first, in order: upgrades[i].to === i + 2. */
  readonly upgrades: readonly SectionUpgrade[]
}

export type AnySectionSpec = SectionSpec<string, TSchema>

export function defineSection<const Id extends string, S extends TSchema>(spec: SectionSpec<Id, S>): SectionSpec<Id, S> {
  spec.upgrades.forEach((u, i) => {
    if (u.to !== i + 2) throw new Error(`section ${spec.id}: upgrade ${i + 1} makes version ${u.to}, expected ${i + 2}`)
  })
  if (spec.upgrades.length !== spec.version - 1) throw new Error(`section ${spec.id}: version ${spec.version} needs ${spec.version - 1} upgrades, has ${spec.upgrades.length}`)
  return spec
}
