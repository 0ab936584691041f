import type {Assertion, Path} from '../checks/assertion.js'
import type {Check, Pack} from '../checks/pack.js'
import type {FleetCheck} from './fleet-check.js'

/**
 * What the fleet checks of some packs read of a snapshot, besides its `host` (always read) and the installed
 * packages' names and versions (compare.packages, referencePackages: fleet-values.ts): a run that judges its hosts
 * one by one as they come keeps only this of each (src/runs/kept-snapshot.ts), and the fleet checks over what it
 * kept give what they give over the whole snapshots. Pure.
 */
export interface FleetReads {
  /** Sections a path leads into (compare, per, unique, within, margin, applies): read whole. */
  sections: Set<string>
  /** Fields of `meta` a path leads into (meta.clock.skewMs: clock). */
  meta: Set<string>
  /** Set when an assertion reads what no path says (eol, sysctl, mount, module, unusedAccounts, uniqueUids): every section. */
  everything: boolean
}

function readPath(path: Path, reads: FleetReads): void {
  const [root, field] = Array.isArray(path) ? path : path === '' || path === '.' ? [] : path.split('.')
  if (root === 'meta') {
    if (field === undefined) reads.everything = true
    else reads.meta.add(field)
  } else if (root !== undefined && root !== 'host') reads.sections.add(root)
}

/**
 * The sections an assertion reads: its paths at the top level (`top`); inside a quantifier (each, some, none,
 * count.where) or a `unique` check's `where`, paths lead into the item, not the snapshot.
 */
function readAssertion(a: Assertion, top: boolean, reads: FleetReads): void {
  if ('eol' in a || 'sysctl' in a || 'mount' in a || 'module' in a || 'unusedAccounts' in a || 'uniqueUids' in a || 'smartTrend' in a) {
    reads.everything = true
    return
  }
  if ('all' in a) for (const x of a.all) readAssertion(x, top, reads)
  else if ('any' in a) for (const x of a.any) readAssertion(x, top, reads)
  else if ('not' in a && !('path' in a)) readAssertion(a.not, top, reads)
  else if ('ratio' in a) {
    if (top) {
      readPath(a.ratio.of, reads)
      readPath(a.ratio.to, reads)
    }
  } else if ('path' in a) {
    if (top) readPath((a as {path: Path}).path, reads)
    const inner = 'each' in a ? a.each : 'some' in a ? a.some : 'none' in a ? a.none : 'count' in a ? a.count.where : undefined
    if (inner) readAssertion(inner, false, reads)
  }
}

function readApplies(applies: Check['applies'], reads: FleetReads): void {
  if (!applies) return
  if (applies.family || applies.distribution || applies.versionId) reads.sections.add('os')
  if (applies.when) readAssertion(applies.when, true, reads)
}

function readCheck(c: FleetCheck, reads: FleetReads): void {
  readApplies((c as unknown as Check).applies, reads)
  if ('compare' in c) {
    if (c.compare.path !== undefined) readPath(c.compare.path, reads)
    const per = c.compare.per
    // `per` is one path, or a list of paths (a list of strings is several paths, as run-fleet.ts reads it)
    for (const p of per === undefined ? [] : typeof per === 'string' ? [per] : (per as Path[])) readPath(p, reads)
  } else if ('unique' in c) {
    readPath(c.unique.path, reads)
    if (c.unique.where) readAssertion(c.unique.where, false, reads)
  } else if ('within' in c) {
    readPath(c.within.path, reads)
    if (c.within.margin !== undefined) readPath(c.within.margin, reads)
  }
}

/** What the fleet checks of the packs read of each snapshot. */
export function fleetReads(packs: readonly Pack[]): FleetReads {
  const reads: FleetReads = {sections: new Set(), meta: new Set(), everything: false}
  for (const p of packs) for (const c of p.fleet ?? []) readCheck(c, reads)
  return reads
}
