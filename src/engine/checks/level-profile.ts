import {InputError} from '../../config/input-error.js'
import {loadLevelMapping, type LevelMapping, type SecurityLevel} from './level-mapping.js'
import type {Pack} from './pack.js'

/** Which level profile a run was judged with, and on what footing: what the report and --json say. */
export interface LevelProfile {
  level: SecurityLevel
  framework: string
  /** unconfirmed while any mapping of the profile's checks awaits the organisation's legal staff. */
  status: 'confirmed' | 'unconfirmed'
  /** Checks of the profile among the loaded packs. */
  checks: number
  /** Areas of the framework no check of the profile judges (backup, …): the profile says nothing of them. */
  uncovered: string[]
}

/**
 * The packs cut to the checks a system of `level` must pass: the per-host checks the levels file maps to that level or
 * below. Checks it does not map (efficiency, disk space, a pack's own) and fleet checks are left out, and so is a pack
 * left with no check. No check left at all is an InputError (exit 2).
 */
export function selectLevel(packs: readonly Pack[], level: SecurityLevel, mapping: LevelMapping = loadLevelMapping()): {packs: Pack[]; profile: LevelProfile} {
  const within = (id: string) => {
    const m = mapping.mappings[id]
    return m !== undefined && m.level <= level
  }
  const selected = packs.map(({fleet: _fleet, ...p}) => ({...p, checks: p.checks.filter((c) => within(c.id))})).filter((p) => p.checks.length > 0)
  if (selected.length === 0) throw new InputError(`--level ${level}: no check of the packs ${packs.map((p) => p.pack).join(', ')} is mapped to a security level`, 'the levels are in checks/data/levels.yaml; leave --pack out to judge the built-in packs')
  const checks = selected.flatMap((p) => p.checks)
  const areas = new Set(checks.map((c) => mapping.mappings[c.id]!.area))
  const confirmed = checks.length > 0 && checks.every((c) => mapping.mappings[c.id]!.confirmed)
  return {
    packs: selected,
    profile: {level, framework: mapping.framework, status: confirmed ? 'confirmed' : 'unconfirmed', checks: checks.length, uncovered: Object.keys(mapping.areas).filter((a) => !areas.has(a))},
  }
}
