import {DIFF_SECTIONS} from '../engine/diff.js'
import type {FleetReads} from '../engine/fleet/fleet-reads.js'
import type {Section} from '../model/section.js'
import type {PackageItem, PackagesData} from '../model/sections/packages.js'
import type {Snapshot} from '../model/snapshot.js'
import type {StringPool} from './string-pool.js'

/** The sections kept whole: those the fleet checks (fleetReads) and the diff (DIFF_SECTIONS) read. */
export function keptSections(reads: FleetReads): ReadonlySet<string> {
  return new Set([...DIFF_SECTIONS, ...reads.sections])
}

/** A package as the diff (diff.ts PackageLike) and the fleet checks (fleet-values.ts: name, version, and what isInstalled reads) compare it. */
export function comparedPackage(p: PackageItem): PackageItem {
  return {
    name: p.name,
    ...(p.version !== undefined ? {version: p.version} : {}),
    ...(p.architecture !== undefined ? {architecture: p.architecture} : {}),
    manager: p.manager,
    status: p.status,
  }
}

/** The packages section with its installed items only, as comparedPackage makes them (`installed`, in the section's order). */
function installedOnly(section: Section<PackagesData>, installed: readonly PackageItem[], pool: StringPool): Section<PackagesData> {
  const {data, ...rest} = section
  return {...pool.copy(rest), ...(data ? {data: {...pool.copy({...data, items: []}), items: [...installed]}} : {})}
}

/**
 * What a run keeps of a host's snapshot once it is stored and its per-host checks are judged: its host, its meta but
 * the list of probes and batches, the sections the fleet checks and the diff read, and of the packages (unless a
 * fleet path reads them whole) the installed ones as those two compare them (`installed`: comparedPackage of each,
 * which both always read); strings from `pool`. Fleet checks and diffs over it give what they give over the whole
 * snapshot; per-host checks and the report's host facts need the whole one.
 */
export function keptSnapshot(s: Snapshot, reads: FleetReads, kept: ReadonlySet<string>, installed: readonly PackageItem[], pool: StringPool): Snapshot {
  if (reads.everything) return pool.copy(s)
  const sections: Record<string, Section<unknown>> = {}
  for (const [id, section] of Object.entries(s.sections as unknown as Record<string, Section<unknown> | undefined>)) {
    if (!section) continue
    if (kept.has(id)) sections[id] = pool.copy(section)
    else if (id === 'packages') sections[id] = installedOnly(section as Section<PackagesData>, installed, pool)
  }
  // of meta, all but the record of each probe and batch (unless a fleet path reads them): the evidence rule reads
  // collectedAt, the results selection, the fleet checks clock
  const {probes, batches, ...meta} = s.meta
  return {
    schemaVersion: s.schemaVersion,
    host: pool.copy(s.host),
    meta: {...pool.copy(meta), probes: reads.meta.has('probes') ? pool.copy(probes) : [], batches: reads.meta.has('batches') ? pool.copy(batches) : []},
    sections: sections as unknown as Snapshot['sections'],
  }
}
