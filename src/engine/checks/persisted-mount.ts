import type {FilesystemsData} from '../../model/sections/filesystems.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why} from '../../model/why.js'
import {failBecause as fail, resolveTop, unknownBecause as unknown, type Outcome} from './assertion.js'

/**
 * Mount options judged running *and* persisted: the live mount (findmnt) and what the next boot mounts (/etc/fstab,
 * or for /tmp systemd's tmp.mount where fstab has no line for it):
 *
 *   {mount: /tmp, options: [nodev, nosuid, noexec]}
 *
 * pass when both have every option; fail saying which lacks what; unknown when either was not observed, or when the
 * mount point is not a separate mount (packs make such a check not applicable with `applies.when`).
 */
export interface MountAssertion {
  mount: string
  options: string[]
}

/** Where a check's reason tells the administrator to persist a mount. */
export const FSTAB_FILE = '/etc/fstab'


export function evaluateMount(a: MountAssertion, snapshot: Snapshot): Outcome {
  const target = a.mount
  const section = resolveTop(snapshot, 'filesystems')
  if (!section.ok) return unknown(section.reason, why('mount.sectionMissing', {target, status: section.reason}))
  const data = section.value as FilesystemsData
  // the visible mount of a mount point is the last one listed
  const live = data.mounts.filter((m) => m.target === target).at(-1)
  if (!live) return unknown(`${target} is not a separate mount`, why('mount.notMounted', {target}))
  const lacking = (options: readonly string[]) => a.options.filter((o) => !options.includes(o)).join(',')
  const runtimeMissing = lacking(live.options)
  if (runtimeMissing) return fail(`${target}: mounted without ${runtimeMissing}`, why('mount.runtimeMissing', {target, missing: runtimeMissing}))
  if (data.fstab === undefined) return unknown(`${target}: right at runtime; ${FSTAB_FILE} was not read`, why('mount.persistedNotCollected', {target}))
  const entry = data.fstab.filter((e) => e.target === target).at(-1)
  const persisted = entry ? {options: entry.options, at: `${FSTAB_FILE}:${entry.line}`} : target === '/tmp' && data.tmpMount ? {options: data.tmpMount.options, at: `${data.tmpMount.file}${data.tmpMount.line ? `:${data.tmpMount.line}` : ''}`} : undefined
  if (!persisted) {
    if (data.persistedUnreadable?.length) {
      const files = data.persistedUnreadable.join(', ')
      return unknown(`${target}: right at runtime; how the boot mounts it is unknown: cannot read ${files}`, why('mount.persistedUnreadable', {target, files}))
    }
    const options = a.options.join(',')
    return fail(`${target}: ${options} at runtime, not persisted: add a line for ${target} with ${options} to ${FSTAB_FILE}`, why('mount.notPersisted', {target, options, file: FSTAB_FILE}))
  }
  const persistedMissing = lacking(persisted.options)
  if (persistedMissing) return fail(`${target}: right at runtime, but ${persisted.at} mounts it without ${persistedMissing}`, why('mount.persistedMissing', {target, at: persisted.at, missing: persistedMissing}))
  return {verdict: 'pass'}
}
