import {type Static} from '@sinclair/typebox'

import {Arr, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const PACKAGE_MANAGERS = ['dpkg', 'rpm'] as const
export type PackageManager = (typeof PACKAGE_MANAGERS)[number]

export const PackageItemSchema = Obj({
  name: Str({minLength: 1}),
  /** As the manager writes it: dpkg `[epoch:]upstream[-revision]`, rpm `[epoch:]version-release` (epoch only when > 0). */
  version: Opt(Str({minLength: 1})),
  /** amd64, all (dpkg); x86_64, noarch (rpm). Absent when the manager records none (rpm's gpg-pubkey entries). */
  architecture: Opt(Str({minLength: 1})),
  manager: StringEnum(PACKAGE_MANAGERS),
  /**
   * dpkg: db:Status-Abbrev without its trailing blank, want + state (+ R when reinstall is required):
   * `ii` installed, `rc` removed with configuration left, `iU` unpacked, `iF` half-configured…
   * rpm: always `installed`. What is really installed (held `hi` included) is what `isInstalled` below says.
   */
  status: Str({minLength: 1}),
  /** The source package: dpkg's source:Package, rpm's SOURCERPM name. */
  source: Opt(Str({minLength: 1})),
})
export type PackageItem = Static<typeof PackageItemSchema>

export const PackagesSchema = Obj({
  /** The package managers that answered with a database (dpkg, rpm). */
  managers: Arr(StringEnum(PACKAGE_MANAGERS)),
  /** Every entry each manager lists (dpkg-query -W: also `rc` entries), in the manager's order. */
  items: Arr(PackageItemSchema),
})
export type PackagesData = Static<typeof PackagesSchema>

/** Really installed: dpkg's `ii`/`hi` (want anything, state installed), rpm's `installed`. */
export function isInstalled(p: {manager: string; status: string}): boolean {
  return p.manager === 'rpm' ? p.status === 'installed' : /^.i/.test(p.status)
}

export const packagesSection = defineSection({
  id: 'packages',
  title: 'Installed packages',
  version: 1,
  schema: PackagesSchema,
  upgrades: [],
})
