import {isCollected} from './host-status.js'
import {isRead} from './section.js'
import {isInstalled} from './sections/packages.js'
import type {Snapshot} from './snapshot.js'
import type {Unit} from './unit.js'

/**
 * The packages whose versions a roll-up compares across the estate (exact names, or globs with `*`): those the
 * fleet-sync pack's sync.key-packages compares within a run (a test holds the two lists alike).
 */
export const KEY_PACKAGES: readonly string[] = ['openssh-server', 'openssl', 'libssl3t64', 'libssl3', 'libssl1.1', 'openssl-libs', 'libc6', 'glibc', 'linux-image-*', 'kernel', 'kernel-core']

/**
 * The few facts of a snapshot a roll-up of thousands of hosts reads without decoding it (kept beside the snapshot in the
 * store, as JSON): the unit's names, the OS release, the kernel, the clock's skew and the key packages' versions.
 * A fact the snapshot does not have is absent; `packages` is absent when the packages were not read (then unknown, never
 * "not installed"), and a key package not installed is absent from it.
 */
export interface SnapshotFacts {
  unit?: Pick<Unit, 'vi' | 'en' | 'parents'>
  os?: string
  distribution?: string
  versionId?: string
  kernel?: string
  skewMs?: number
  uncertaintyMs?: number
  /** Key package spec → its installed versions ("1.2, 1.3"; for a glob: "name version; name version"). */
  packages?: Record<string, string>
  /** Why the packages are unknown, when they are. */
  packagesUnknown?: string
}

const globs = new Map<string, RegExp>()
function glob(pattern: string): RegExp {
  let re = globs.get(pattern)
  if (!re) globs.set(pattern, (re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)))
  return re
}

const EXACT_KEY_PACKAGES = new Set(KEY_PACKAGES.filter((spec) => !spec.includes('*')))
const GLOB_KEY_PACKAGES = KEY_PACKAGES.filter((spec) => spec.includes('*'))
/** Whether a package name is one of KEY_PACKAGES at all: a set lookup and the globs, for the ~800 that are not. */
const isKeyPackage = (name: string) => EXACT_KEY_PACKAGES.has(name) || GLOB_KEY_PACKAGES.some((spec) => glob(spec).test(name))

/** The key packages' installed versions, as the fleet-sync pack compares them. */
function keyPackages(items: readonly {name: string; version?: string; manager: string; status: string}[]): Record<string, string> {
  const found = new Map<string, Map<string, Set<string>>>() // spec → name → versions
  for (const p of items) {
    if (!isInstalled(p) || !isKeyPackage(p.name)) continue
    for (const spec of KEY_PACKAGES) {
      if (spec.includes('*') ? !glob(spec).test(p.name) : spec !== p.name) continue
      const byName = found.get(spec) ?? new Map<string, Set<string>>()
      const versions = byName.get(p.name) ?? new Set<string>()
      if (p.version) versions.add(p.version)
      found.set(spec, byName.set(p.name, versions))
    }
  }
  const out: Record<string, string> = {}
  for (const [spec, byName] of found) {
    out[spec] = spec.includes('*')
      ? [...byName.entries()].map(([n, v]) => `${n} ${[...v].sort().join(', ')}`).sort().join('; ')
      : [...byName.get(spec)!].sort().join(', ')
  }
  return out
}

/** A snapshot's facts (see SnapshotFacts). Pure. */
export function snapshotFacts(s: Snapshot): SnapshotFacts {
  const facts: SnapshotFacts = {}
  if (s.host.unit) facts.unit = {vi: s.host.unit.vi, en: s.host.unit.en, ...(s.host.unit.parents ? {parents: s.host.unit.parents} : {})}
  if (s.meta.clock) (facts.skewMs = s.meta.clock.skewMs), (facts.uncertaintyMs = s.meta.clock.uncertaintyMs)
  if (!isCollected(s.host.status)) return facts
  const os = s.sections.os
  if (os?.data && isRead(os.status)) {
    const d = os.data
    if (d.prettyName ?? d.name) facts.os = (d.prettyName ?? d.name)!
    if (d.distribution) facts.distribution = d.distribution
    if (d.versionId) facts.versionId = d.versionId
    facts.kernel = d.kernel
  }
  const packages = s.sections.packages
  if (packages?.data && isRead(packages.status)) facts.packages = keyPackages(packages.data.items)
  else facts.packagesUnknown = packages ? `packages: ${packages.status}${packages.reason ? ` (${packages.reason.split('\n')[0]})` : ''}` : "no section 'packages' in the snapshot"
  return facts
}
