import {accountUse} from '../engine/checks/account-use.js'
import type {Pack} from '../engine/checks/pack.js'
import type {HostReview} from '../model/results.js'
import {isRead, type Section} from '../model/section.js'
import type {AccessData} from '../model/sections/access.js'
import type {AccountsData} from '../model/sections/accounts.js'
import type {BootData} from '../model/sections/boot.js'
import type {CertificatesData} from '../model/sections/certificates.js'
import type {ContainersData} from '../model/sections/containers.js'
import type {LoginsData} from '../model/sections/logins.js'
import type {PasswordPolicyData} from '../model/sections/password-policy.js'
import type {ScheduledData} from '../model/sections/scheduled.js'
import type {SourcesData} from '../model/sections/sources.js'
import type {StorageData} from '../model/sections/storage.js'
import type {Snapshot} from '../model/snapshot.js'
import {wholeDays} from '../model/days.js'
import {defined} from './defined.js'

/** The idle limit of `accounts.unused` when no pack in the run carries the check. */
const DEFAULT_IDLE_DAYS = 45
/** The warning window of `cert.expiring` when no pack in the run carries the check. */
const DEFAULT_EXPIRING_DAYS = 30


/** A section's data when it was read (ok or partial), else undefined. Sections of later releases may be absent. */
function dataOf<T>(s: Snapshot, id: string): T | undefined {
  const section = (s.sections as unknown as Record<string, Section<T> | undefined>)[id]
  return section && isRead(section.status) ? section.data : undefined
}

/** The limits the review shows its lists by, read from the run's checks that judge the same. */
export interface ReviewLimits {
  /** `accounts.unused`'s maxIdleDays. */
  idleDays: number
  /** `cert.expiring`'s largest minDaysAhead. */
  expiringDays: number
}

/** The largest number under `key` anywhere in an assertion. */
function deepNumber(value: unknown, key: string): number | undefined {
  if (!value || typeof value !== 'object') return undefined
  let best: number | undefined
  for (const [k, v] of Object.entries(value)) {
    const n = k === key && typeof v === 'number' ? v : deepNumber(v, key)
    if (n !== undefined && (best === undefined || n > best)) best = n
  }
  return best
}

/** The review's limits from the first pack of the run that carries each check, else the built-in packs' values. */
export function reviewLimitsOf(packs: readonly Pack[]): ReviewLimits {
  const of = (check: string, key: string) => {
    for (const p of packs) {
      const n = deepNumber(p.checks.find((x) => x.id === check)?.assert, key)
      if (n !== undefined) return n
    }
    return undefined
  }
  return {idleDays: of('accounts.unused', 'maxIdleDays') ?? DEFAULT_IDLE_DAYS, expiringDays: of('cert.expiring', 'minDaysAhead') ?? DEFAULT_EXPIRING_DAYS}
}

/**
 * What a review committee looks at first on one host, from its snapshot: scheduled jobs and the backup recognised,
 * unused accounts, certificates with their days left, sudo rules, degraded storage, containers, package sources, boot
 * and the password policy. Each part is absent when its section was not read (unknown, never "none"). Pure.
 */
export function hostReview(s: Snapshot, {idleDays, expiringDays}: ReviewLimits): HostReview {
  const now = Date.parse(s.meta.collectedAt)
  const scheduled = dataOf<ScheduledData>(s, 'scheduled')
  const accounts = dataOf<AccountsData>(s, 'accounts')
  const logins = dataOf<LoginsData>(s, 'logins')
  const certificates = dataOf<CertificatesData>(s, 'certificates')
  const access = dataOf<AccessData>(s, 'access')
  const storage = dataOf<StorageData>(s, 'storage')
  const containers = dataOf<ContainersData>(s, 'containers')
  const sources = dataOf<SourcesData>(s, 'sources')
  const boot = dataOf<BootData>(s, 'boot')
  const policy = dataOf<PasswordPolicyData>(s, 'passwordPolicy')
  const use = accounts && logins?.lastLog.state === 'read' && !Number.isNaN(now) ? accountUse(accounts, logins.lastLog, now, idleDays) : undefined
  return defined({
    jobs: scheduled?.jobs.map((j) => defined({kind: j.kind, user: j.user, schedule: j.schedule, command: j.command, source: j.id, next: j.next, last: j.last, worldWritable: j.worldWritable || undefined})),
    backup: scheduled?.backup?.map((b) => defined({tool: b.tool, via: b.via, where: b.where})),
    unusedAccounts: use ? {idleDays, accounts: use.unused, undetermined: [...use.needShadow, ...use.notListed, ...use.noDate]} : undefined,
    certificates: certificates
      ? {
          expiringDays,
          files: certificates.files
            .filter((f) => f.state === 'read')
            .map((f) => {
              const left = f.notAfter && !Number.isNaN(now) ? wholeDays(now, Date.parse(f.notAfter)) : undefined
              return defined({path: f.path, subject: f.subject, notAfter: f.notAfter, daysLeft: left, selfSigned: f.selfSigned, key: f.keyType ? `${f.keyType}${f.keyBits ? ` ${f.keyBits}` : ''}` : undefined, signature: f.signatureAlgorithm})
            })
            .sort((a, b) => (a.daysLeft ?? Infinity) - (b.daysLeft ?? Infinity)),
        }
      : undefined,
    sudo: access?.sudo?.rules.map((r) => ({
      who: r.who,
      hosts: r.hosts,
      commands: r.commands.map((c) => defined({command: c.command, runAs: c.runAs, noPassword: c.noPassword || undefined})),
      forPeople: r.forPeople,
      source: r.name,
    })),
    storage: storage
      ? defined({
          degraded: storage.md.arrays.filter((a) => a.degraded).map((a) => `${a.name}${a.level ? ` ${a.level}` : ''}${a.map ? ` [${a.map}]` : ''}`),
          failingDisks: storage.smart.disks
            ?.filter((d) => d.passed === false || (d.reallocatedSectors ?? 0) > 0 || (d.pendingSectors ?? 0) > 0 || (d.nvmeCriticalWarning ?? 0) > 0 || (d.nvmeMediaErrors ?? 0) > 0)
            .map((d) => d.name),
          volumeGroups: storage.lvm.vgs?.map((v) => ({name: v.name, sizeBytes: v.sizeBytes, freeBytes: v.freeBytes})),
        })
      : undefined,
    containers: containers?.containers?.map((c) => defined({name: c.name, image: c.image, state: c.state, privileged: c.privileged, hostNetwork: c.hostNetwork, engineSocket: c.engineSocketMounts.length > 0})),
    sources: sources
      ? defined({
          repositories: sources.repositories.filter((r) => r.enabled).map((r) => ({id: r.id, uris: r.uris, suites: r.suites, signatureChecked: r.signatureChecked})),
          held: sources.held,
        })
      : undefined,
    boot: boot
      ? defined({
          firmware: boot.firmware,
          secureBoot: boot.secureBoot?.enabled,
          tpm: boot.tpm.devices.map((d) => `${d.name}${d.version !== undefined ? ` ${d.version}.0` : ''}`),
          grub: boot.bootloader.grub,
          loaderPassword: boot.bootloader.password,
        })
      : undefined,
    passwordPolicy: policy
      ? defined({
          minLength: policy.quality?.minLength.value,
          minClass: policy.quality?.minClass.value,
          remember: policy.history?.remember.value,
          deny: policy.lockout?.deny.value,
          unlockTime: policy.lockout?.unlockTime.value,
        })
      : undefined,
  })
}
