import type {Pack} from './pack.js'
import {checkDataFile} from './data-file.js'
import {loadEolData, type EolData} from './eol.js'
import {DAY_MS} from '../../model/days.js'

/** End-of-life data reviewed longer ago than this many days is called out: vendors move their dates. */
export const EOL_REVIEW_MAX_DAYS = 180


/** Whole days from a data set's `reviewed` day to `now`. */
export function daysSinceReview(data: Pick<EolData, 'reviewed'>, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(`${data.reviewed}T00:00:00Z`)) / DAY_MS)
}

/**
 * The warning for an end-of-life data set (`file`) reviewed more than maxDays before `now`, else undefined: its
 * verdicts may rest on dates the vendors have since moved. A warning, never a failure.
 */
export function eolReviewWarning(file: string, data: Pick<EolData, 'reviewed'>, now: Date, maxDays = EOL_REVIEW_MAX_DAYS): string | undefined {
  const days = daysSinceReview(data, now)
  if (days <= maxDays) return undefined
  return (
    `warning: ${file} (end-of-life data) was last reviewed on ${data.reviewed}, ${days} days ago (more than ${maxDays}): ` +
    'vendors move their dates, so the os.eol verdicts may be out of date — compare its rows with the sources it lists and update it, or install a newer hatang'
  )
}

/** The data sets the packs' eol checks read, with their files and review days. */
export function eolDataOf(packs: readonly Pack[]): {name: string; file: string; reviewed: string}[] {
  const names = [...new Set(packs.flatMap((p) => p.eolData ?? []))].sort()
  return names.flatMap((name) => {
    const file = checkDataFile(name)
    return file ? [{name, file, reviewed: loadEolData(name).reviewed}] : []
  })
}

/** A warning for each data set the packs read that was reviewed too long before `now`. */
export function eolReviewWarnings(packs: readonly Pack[], now: Date = new Date()): string[] {
  return eolDataOf(packs).flatMap((d) => eolReviewWarning(d.file, d, now) ?? [])
}
