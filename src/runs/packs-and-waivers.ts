import {InputError} from '../config/input-error.js'
import {loadPacks} from '../engine/checks/load-packs.js'
import {selectLevel, type LevelProfile} from '../engine/checks/level-profile.js'
import type {SecurityLevel} from '../engine/checks/level-mapping.js'
import type {Pack} from '../engine/checks/pack.js'
import {loadWaivers, unknownChecks, type Waiver} from '../engine/waivers.js'

export interface JudgingOptions {
  /** Built-in pack names or pack files; default every built-in pack. */
  packs?: readonly string[]
  waiversFile?: string
  /** Only the checks a system of this security level must pass (--level). */
  level?: SecurityLevel
  /** Told about waivers that name a check no loaded pack has. */
  warn?: (message: string) => void
}

/**
 * The packs (default every built-in one, cut to a security level's profile with `level`) and the waivers the options
 * name, warning about waivers of unknown checks.
 * Throws ConfigError (a pack or waivers file that does not validate) or InputError (one that cannot be read): exit 2.
 */
export function packsAndWaivers(options: JudgingOptions): {packs: Pack[]; waivers: Waiver[]; levelProfile?: LevelProfile} {
  const loaded = loadPacks(options.packs)
  let waivers: Waiver[] = []
  if (options.waiversFile) {
    try {
      waivers = loadWaivers(options.waiversFile)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code) throw new InputError(`${options.waiversFile}: cannot read the waivers file (${code})`, 'name a waivers file that exists')
      throw error
    }
  }
  // waivers are told apart from the packs as loaded: a check left out by --level is no unknown check
  for (const w of unknownChecks(waivers, loaded)) options.warn?.(`warning: ${w.source} waives '${w.check}', a check no loaded pack has`)
  if (options.level === undefined) return {packs: loaded, waivers}
  const {packs, profile} = selectLevel(loaded, options.level)
  return {packs, waivers, levelProfile: profile}
}
