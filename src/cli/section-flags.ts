import {Flags} from '@oclif/core'

import {InputError} from '../config/input-error.js'
import {closest} from '../hosts/did-you-mean.js'
import {ALWAYS_COLLECTED, type SectionSelection} from '../model/section-selection.js'
import {sectionCatalog} from '../model/sections/index.js'

const always = ALWAYS_COLLECTED.join(' and ')

/** `--sections LIST` and `--skip LIST` on the commands that collect (collect, sweep, audit), as Ansible's gather_subset. */
export const sectionFlags = {
  sections: Flags.string({
    summary: `Collect only these sections, comma-separated (${always} are always collected); the others are "skipped" and their checks unknown.`,
    helpValue: 'LIST',
  }),
  skip: Flags.string({
    summary: `Collect every section but these, comma-separated (${always} cannot be skipped); their checks are unknown.`,
    helpValue: 'LIST',
  }),
}

const ids: readonly string[] = sectionCatalog.map((s) => s.id)
const byLowerCase = new Map(ids.map((id) => [id.toLowerCase(), id]))
const VALID = `choose from: ${ids.join(', ')}`

/** One flag's list as catalog ids (matched case-insensitively), in catalog order, each once; an unknown id is an InputError. */
function parseList(flag: 'sections' | 'skip', text: string): string[] {
  const words = text.split(',').map((w) => w.trim()).filter(Boolean)
  if (words.length === 0) throw new InputError(`--${flag} ${JSON.stringify(text)}: no section named`, VALID)
  const chosen = new Set<string>()
  for (const word of words) {
    const id = byLowerCase.get(word.toLowerCase())
    if (id === undefined) {
      const near = closest(word, ids)
      throw new InputError(`--${flag} ${text}: unknown section '${word}'`, near ? `did you mean '${near}'? Or ${VALID}` : VALID)
    }
    chosen.add(id)
  }
  return ids.filter((id) => chosen.has(id))
}

/**
 * The selection --sections or --skip ask for, checked against the catalog before anything is collected: undefined for
 * every section. Ids are matched case-insensitively (`timesync` is `timeSync`). Both flags at once, an unknown id, an
 * empty list or skipping a section that is always collected is an InputError (exit 2) that says what to do.
 */
export function parseSectionFlags(flags: {sections?: string | undefined; skip?: string | undefined}): SectionSelection | undefined {
  if (flags.sections !== undefined && flags.skip !== undefined) {
    throw new InputError('--sections and --skip cannot be used together', 'list the sections to collect with --sections, or those to leave out with --skip')
  }
  if (flags.sections !== undefined) {
    const sections = parseList('sections', flags.sections)
    const kept = new Set<string>([...ALWAYS_COLLECTED, ...sections])
    return {sections, skipped: ids.filter((id) => !kept.has(id))}
  }
  if (flags.skip !== undefined) {
    const skip = parseList('skip', flags.skip)
    const forced = skip.filter((id) => (ALWAYS_COLLECTED as readonly string[]).includes(id))
    if (forced.length > 0) {
      throw new InputError(
        `--skip ${flags.skip}: ${always} are always collected (reports name the machine by them, checks decide by the OS whether they apply)`,
        `leave ${forced.join(' and ')} out of --skip`,
      )
    }
    return {skip, skipped: [...skip]}
  }
  return undefined
}
