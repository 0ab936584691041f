import {normaliseSysctlValue, type SysctlData, SYSCTL_KEYS} from '../../model/sections/sysctl.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why} from '../../model/why.js'
import {failBecause as fail, resolveTop, unknownBecause as unknown, type Outcome} from './assertion.js'

/**
 * A kernel parameter judged running *and* persisted (the benchmarks require both: a value set only at runtime is
 * gone at the next boot):
 *
 *   {sysctl: kernel.randomize_va_space, equals: '2'}      (also in: [...], ge: N, le: N; one of them)
 *
 * pass when /proc/sys holds a right value and the files the boot reads set a right one; fail saying which is wrong;
 * unknown (with the reason) when either was not observed — a parameter no file sets is "not persisted" only when
 * every file could be read.
 */
export const SYSCTL_OPS = ['equals', 'in', 'ge', 'le'] as const
export type SysctlAssertion = {sysctl: (typeof SYSCTL_KEYS)[number] | string} & Partial<Record<(typeof SYSCTL_OPS)[number], unknown>>

/** Where a check's reason tells the administrator to set a parameter no file sets. */
export const SYSCTL_FIX_FILE = '/etc/sysctl.d/60-hatang.conf'

interface Expectation {
  /** The value to set (the first acceptable one). */
  value: string
  /** The acceptable values as the reason shows them: `2`, `≥ 1`, `1 / 2`. */
  shown: string
  holds(actual: string): boolean
}

function expectationOf(a: SysctlAssertion): Expectation {
  const numeric = (t: string) => (/^-?\d+$/.test(t) ? Number(t) : undefined)
  if (a.in !== undefined) {
    const list = (a.in as unknown[]).map((v) => normaliseSysctlValue(String(v)))
    return {value: list[0]!, shown: list.join(' / '), holds: (v) => list.includes(v)}
  }
  if (a.ge !== undefined || a.le !== undefined) {
    const ge = a.ge !== undefined
    const limit = Number(ge ? a.ge : a.le)
    return {
      value: String(limit),
      shown: `${ge ? '≥' : '≤'} ${limit}`,
      holds: (v) => {
        const n = numeric(v)
        return n !== undefined && (ge ? n >= limit : n <= limit)
      },
    }
  }
  const value = normaliseSysctlValue(String(a.equals))
  return {value, shown: value, holds: (v) => v === value}
}


export function evaluateSysctl(a: SysctlAssertion, snapshot: Snapshot): Outcome {
  const key = a.sysctl
  const section = resolveTop(snapshot, 'sysctl')
  if (!section.ok) return unknown(section.reason, why('sysctl.sectionMissing', {key, status: section.reason}))
  const data = section.value as SysctlData
  const expected = expectationOf(a)
  const raw = data.params[key]
  if (raw === undefined) {
    if (data.unreadable.includes(key)) return unknown(`${key}: its runtime value needs root to read`, why('sysctl.runtimeUnreadable', {key}))
    if (data.absent.includes(key)) return unknown(`${key}: this kernel has no such parameter`, why('sysctl.absent', {key}))
    return unknown(`${key}: its runtime value is not reported`, why('sysctl.runtimeNotReported', {key}))
  }
  const runtime = normaliseSysctlValue(raw)
  if (!expected.holds(runtime)) return fail(`${key}: runtime ${runtime}, expected ${expected.shown}`, why('sysctl.runtimeWrong', {key, runtime, expected: expected.shown}))
  if (data.persisted === undefined) return unknown(`${key}: runtime ${runtime}; the files the boot reads were not read`, why('sysctl.persistedNotCollected', {key, runtime}))
  const persisted = data.persisted[key]
  if (persisted === undefined) {
    if (data.persistedUnreadable?.length) {
      const files = data.persistedUnreadable.join(', ')
      return unknown(`${key}: runtime ${runtime}; persisted value unknown: cannot read ${files}`, why('sysctl.persistedUnreadable', {key, runtime, files}))
    }
    return fail(
      `${key}: runtime ${runtime}, not persisted: set ${key} = ${expected.value} in ${SYSCTL_FIX_FILE}`,
      why('sysctl.notPersisted', {key, runtime, value: expected.value, file: SYSCTL_FIX_FILE}),
    )
  }
  if (!expected.holds(persisted.value)) {
    const at = `${persisted.file}:${persisted.line}`
    return fail(`${key}: runtime ${runtime}, persisted ${persisted.value} in ${at}, expected ${expected.shown}`, why('sysctl.persistedWrong', {key, runtime, persisted: persisted.value, at, expected: expected.shown}))
  }
  return {verdict: 'pass'}
}
