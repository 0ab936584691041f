import {selectionFlag, type SectionSelection} from '../model/section-selection.js'

/** `sections skipped (--skip updates,packages): updates, packages`, or that none was: for the terminal and the log. Pure. */
export function selectionLine(selection: SectionSelection): string {
  const flag = selectionFlag(selection)
  return selection.skipped.length === 0 ? `no section skipped (${flag})` : `sections skipped (${flag}): ${selection.skipped.join(', ')}`
}
