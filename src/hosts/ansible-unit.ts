import {unitPath, UNIT_PATH_RULE, type Unit} from '../model/unit.js'
import type {InventoryWarningCode} from './model.js'

/** How the caller hears of a variable: a remark, or a value it cannot use (which ends the host's reading). */
export interface UnitVarReport {
  note: (n: {variable: string; code: InventoryWarningCode; message: string; hint: string}) => void
  fail: (variable: string, message: string) => never
}

/** The variables of an Ansible inventory that give a host's unit: its path, its names in Vietnamese and English. */
export const UNIT_VARS = {path: 'hatang_unit', vi: 'hatang_unit_vi', en: 'hatang_unit_en'} as const

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() || undefined : typeof v === 'number' ? String(v) : undefined)

/**
 * A host's unit from its merged variables (group or host vars, Ansible's precedence): `hatang_unit` (a path) with
 * `hatang_unit_vi` (required) and `hatang_unit_en` (the Vietnamese name where absent). Undefined when hatang_unit is
 * not set, or is a Jinja template (noted); `fail` names the variable whose value cannot be used.
 */
export function unitFromAnsibleVars(vars: Record<string, unknown>, {note, fail}: UnitVarReport): Unit | undefined {
  const raw = vars[UNIT_VARS.path]
  if (raw === undefined || raw === null) return undefined
  for (const variable of Object.values(UNIT_VARS)) {
    const v = vars[variable]
    if (typeof v === 'string' && v.includes('{{')) {
      note({variable, code: 'template-not-evaluated', message: `${variable}: '${v}' is a Jinja template, which hatang does not evaluate: the host's unit is left unset`, hint: 'write the value itself for hatang'})
      return undefined
    }
  }
  const written = text(raw)
  const path = written === undefined ? undefined : unitPath(written)
  if (path === undefined) return fail(UNIT_VARS.path, `${UNIT_VARS.path} '${String(raw)}' is not a unit path (${UNIT_PATH_RULE})`)
  const vi = text(vars[UNIT_VARS.vi])
  if (vi === undefined) return fail(UNIT_VARS.path, `${UNIT_VARS.path} '${path}' has no name: set ${UNIT_VARS.vi} (and ${UNIT_VARS.en}) beside it`)
  return {path, vi, en: text(vars[UNIT_VARS.en]) ?? vi}
}

/**
 * The unit variables written at one place (a group's variables, or a host's own) must go together, because Ansible
 * merges each variable on its own: a path without its Vietnamese name there would take another unit's name from an
 * outer group. Returns the variable at fault and why, or undefined. A place that gives a path and its names but no
 * English one gets `hatang_unit_en: null`, so that no other unit's English name is inherited (English then falls
 * back to the Vietnamese name).
 */
export function settleUnitVars(vars: Record<string, unknown>): {variable: string; message: string} | undefined {
  const has = (v: string) => vars[v] !== undefined && vars[v] !== null
  if (!has(UNIT_VARS.path)) {
    const name = [UNIT_VARS.vi, UNIT_VARS.en].find(has)
    return name ? {variable: name, message: `${name} is set without ${UNIT_VARS.path} beside it: a unit's names go with its path`} : undefined
  }
  if (!has(UNIT_VARS.vi)) return {variable: UNIT_VARS.path, message: `${UNIT_VARS.path} is set without ${UNIT_VARS.vi} beside it: give the unit's name in Vietnamese where its path is written`}
  if (!(UNIT_VARS.en in vars)) vars[UNIT_VARS.en] = null
  return undefined
}
