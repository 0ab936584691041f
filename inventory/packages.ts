import type {ProbeResult} from './kit/implementation.js'
import {defineProbe, type CommandOutput} from './kit/probe.js'
import {deniedByPermissions, failure, needs, notInstalled, succeeded} from './kit/probe-helpers.js'
import {packagesSection, PACKAGE_MANAGERS, type PackageItem, type PackageManager, type PackagesData} from '../src/model/sections/packages.js'
import {shQuote} from '../src/model/shell-quote.js'
import {dpkgItemsOf, dpkgPackages} from './kit/dpkg-packages.js'
import {parseRpmQuery, RPM_FORMAT} from './packages-rpm.js'

const COMMANDS: Record<PackageManager, {tool: string; parse: (out: CommandOutput) => readonly PackageItem[]}> = {
  // parsed once a host: the malware scan reads the same list
  dpkg: {tool: 'dpkg-query', parse: dpkgItemsOf},
  rpm: {tool: 'rpm', parse: (out) => parseRpmQuery(out.stdout)},
}

const NO_RPM_DB = /cannot open Packages (database|index)|no such file or directory/i

/**
 * On a dpkg system, rpm is started only where an rpm database may be: a file in /var/lib/rpm, /usr/lib/sysimage/rpm
 * or, for root, Debian's ~/.rpmdb, or an rpm macros file that could name another. Else rpm, a tool carried beside
 * dpkg (alien, building packages), has no database to list, and Debian's `rpm -qa` would create an empty one in the
 * user's home (~/.rpmdb/rpmdb.sqlite): an audit writes nothing on its hosts. It counts as not installed, as it did
 * when it listed nothing, and it is a program less a host (~6 ms of the target's CPU here).
 *
 * Another user's ~/.rpmdb is that user's own: rpm run as them could not have installed into the system, so what it
 * lists is not the host's. Ansible's fact gathering leaves an empty one in the home of the user it logs in as.
 */
const RPM_DATABASE_HERE =
  'if [ -f /var/lib/dpkg/status ]; then _d=; _h=/nonexistent; [ "${EUID:-$(id -u 2>/dev/null)}" = 0 ] && _h=${HOME:-/nonexistent}; ' +
  'for _p in /var/lib/rpm/* /usr/lib/sysimage/rpm/* "$_h"/.rpmdb/* /etc/rpm/macros* /etc/rpm/*/macros* "${HOME:-/nonexistent}"/.rpmmacros; ' +
  'do [ -e "$_p" ] && { _d=1; break; }; done; ' +
  "[ -n \"$_d\" ] || { echo 'rpm: no rpm database beside dpkg' >&2; exit 127; }; fi; "

export const packagesProbe = defineProbe({
  section: packagesSection,
  platforms: ['Linux'],
  commands: {
    rpm: needs('rpm', `${RPM_DATABASE_HERE}rpm -qa --qf ${shQuote(RPM_FORMAT)}`),
  },
  // read once a host: the pending updates read the same list
  shared: {dpkg: dpkgPackages},
  timeoutMs: 20_000,
  weight: 4,
  interpret(out): ProbeResult<PackagesData> {
    const answered: {manager: PackageManager; items: readonly PackageItem[]}[] = []
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
        answered.push({manager, items: COMMANDS[manager].parse(o)})
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
