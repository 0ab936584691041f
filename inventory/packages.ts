import {type Static} from '@sinclair/typebox'

import {defineProbe, type ProbeResult} from './kit/probe.js'
import {deniedByPermissions, failure, needs, notInstalled, succeeded} from './kit/probe-helpers.js'
import {Arr, Obj, Opt, Str, StringEnum} from '../src/model/schema-helpers.js'
import {shQuote} from '../src/transport/shell-quote.js'
import {DPKG_FORMAT, parseDpkgQuery} from './packages-dpkg.js'
import {parseRpmQuery, RPM_FORMAT} from './packages-rpm.js'

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
   * rpm: always `installed`. Filter on `ii`/`installed` for what is really installed.
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

const COMMANDS: Record<PackageManager, {tool: string; parse: (text: string) => PackageItem[]}> = {
  dpkg: {tool: 'dpkg-query', parse: parseDpkgQuery},
  rpm: {tool: 'rpm', parse: parseRpmQuery},
}

const NO_RPM_DB = /cannot open Packages (database|index)|no such file or directory/i

export const packagesProbe = defineProbe({
  id: 'packages',
  title: 'Installed packages',
  platforms: ['Linux'],
  schema: PackagesSchema,
  commands: {
    dpkg: needs('dpkg-query', `dpkg-query -W -f=${shQuote(DPKG_FORMAT)}`),
    rpm: needs('rpm', `rpm -qa --qf ${shQuote(RPM_FORMAT)}`),
  },
  timeoutMs: 20_000,
  weight: 2,
  interpret(out): ProbeResult<PackagesData> {
    const answered: {manager: PackageManager; items: PackageItem[]}[] = []
    const failed: string[] = []
    let firstFailure: ProbeResult<never> | undefined
    let rpmWithoutDatabase: ProbeResult<never> | undefined
    for (const manager of PACKAGE_MANAGERS) {
      const o = out[manager]
      if (notInstalled(o)) continue
      // Debian's rpm package is a tool without a system database (~/.rpmdb): no database, no manager
      if (manager === 'rpm' && o?.ran && o.exitCode !== 0 && NO_RPM_DB.test(o.stderr) && !deniedByPermissions(o)) {
        rpmWithoutDatabase = failure(o, 'rpm')
        continue
      }
      if (succeeded(o)) {
        answered.push({manager, items: COMMANDS[manager].parse(o.stdout)})
        continue
      }
      const fail = failure(o, COMMANDS[manager].tool)
      if (fail) {
        firstFailure ??= fail
        failed.push(fail.reason ?? manager)
      }
    }
    if (answered.length === 0) {
      return firstFailure ?? rpmWithoutDatabase ?? {status: 'unavailable', reason: 'not installed: no package manager found (neither dpkg-query nor an rpm database)'}
    }
    // Debian can carry rpm as a tool with an empty database: a manager counts when it knows packages
    const withPackages = answered.filter((a) => a.items.length > 0)
    const managers = (withPackages.length > 0 ? withPackages : answered).map((a) => a.manager)
    const data: PackagesData = {managers, items: answered.flatMap((a) => a.items)}
    return failed.length > 0 ? {status: 'partial', reason: failed.join('; '), data} : {status: 'ok', data}
  },
})
