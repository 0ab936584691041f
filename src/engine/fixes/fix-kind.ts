import type {CheckFix} from '../../model/results.js'
import {isAutoFix, type Fix} from './fix-schema.js'

/** Where `hatang fix -o DIR` writes a check's tasks, relative to DIR: the file a report names. */
export function fixFile(checkId: string): string {
  return `fixes/${checkId}.yml`
}

/** A fleet check carries no fix: what differs between hosts (which value is right) is for a person to settle. */
export const FLEET_CHECK_FIX: CheckFix = {kind: 'manual'}

/**
 * How a failed check is fixed, as the results and reports say it: auto when its fix has tasks (with the file they are
 * written to); manual with the pack's reason when its fix says `manual`; manual without reason when it has no fix (a
 * fleet check: FLEET_CHECK_FIX).
 */
export function fixKind(check: {id: string; fix?: Fix}): CheckFix {
  if (isAutoFix(check.fix)) return {kind: 'auto', file: fixFile(check.id)}
  if (check.fix) return {kind: 'manual', reason: {vi: check.fix.manual.vi, en: check.fix.manual.en}}
  return {kind: 'manual'}
}
