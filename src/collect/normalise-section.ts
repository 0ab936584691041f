import type {ProbeResult} from '../../inventory/kit/implementation.js'
import {isRead} from '../model/section.js'
import type {AnySectionSpec} from '../model/section-spec.js'
import {problemsOf, sectionKey} from '../model/validate.js'

/**
 * What an implementation or a native collector returned, made a valid section whatever it was: data that does not
 * match the section's schema, or ok without data, becomes an `error` with the reason; a status other than ok gets a reason.
 */
export function normalise(section: AnySectionSpec, result: ProbeResult<unknown>): ProbeResult<unknown> {
  const {status, reason, data} = result
  if (isRead(status) && data === undefined) {
    return {status: 'error', reason: `internal error in probe ${section.id}: ${status} without data`}
  }
  if (data !== undefined) {
    const problems = problemsOf(section.schema, data, sectionKey(section.id))
    if (problems.length > 0) return {status: 'error', reason: `internal error in probe ${section.id}: data does not match its schema: ${problems[0]}`}
  }
  if (status !== 'ok' && !reason) return {status, reason: 'no reason given', ...(data === undefined ? {} : {data})}
  return {status, ...(reason ? {reason} : {}), ...(data === undefined ? {} : {data})}
}
