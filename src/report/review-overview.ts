import type {HostReport} from '../model/results.js'

/**
 * The review's fleet-wide lines for the inventory overview, from the collected hosts' `review`: certificates expiring
 * (or expired) within the run's warning window, degraded storage, containers, unused accounts and hosts with no backup
 * recognised. Each count says on how many hosts it could be read (`of`): a host whose section was not read is not
 * "none". Pure.
 */
export function reviewOverview(hosts: readonly HostReport[]) {
  const read = <K extends keyof NonNullable<HostReport['review']>>(key: K) => hosts.filter((h) => h.review?.[key] !== undefined)
  const certHosts = read('certificates')
  const expiring = certHosts
    .flatMap((h) => h.review!.certificates!.files.filter((c) => c.daysLeft !== undefined && c.daysLeft < h.review!.certificates!.expiringDays).map((c) => ({host: h.name, ...c})))
    .sort((a, b) => a.daysLeft! - b.daysLeft! || a.host.localeCompare(b.host))
  const storageHosts = read('storage')
  const degraded = storageHosts
    .map((h) => ({host: h.name, items: [...h.review!.storage!.degraded, ...(h.review!.storage!.failingDisks ?? [])]}))
    .filter((x) => x.items.length > 0)
  const containerHosts = read('containers')
  const containers = containerHosts.flatMap((h) => h.review!.containers!.map((c) => ({host: h.name, ...c})))
  const accountHosts = read('unusedAccounts')
  const unused = accountHosts.filter((h) => h.review!.unusedAccounts!.accounts.length > 0).map((h) => ({host: h.name, accounts: h.review!.unusedAccounts!.accounts}))
  const backupHosts = read('backup')
  return {
    certificates: {of: certHosts.length, expiring, expiringDays: certHosts[0]?.review!.certificates!.expiringDays ?? null},
    storage: {of: storageHosts.length, degraded},
    containers: {of: containerHosts.length, total: containers.length, privileged: containers.filter((c) => c.privileged || c.engineSocket).length, hosts: new Set(containers.map((c) => c.host)).size},
    accounts: {of: accountHosts.length, unused, count: unused.reduce((n, x) => n + x.accounts.length, 0), idleDays: accountHosts[0]?.review!.unusedAccounts!.idleDays ?? null},
    backup: {of: backupHosts.length, none: backupHosts.filter((h) => h.review!.backup!.length === 0).map((h) => h.name)},
  }
}
export type ReviewOverview = ReturnType<typeof reviewOverview>
