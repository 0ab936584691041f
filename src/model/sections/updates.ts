import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** How many names of foreign packages a snapshot keeps (the count is always whole). */
export const FOREIGN_NAMES_KEPT = 200

/** A package cache older than this makes "0 pending" meaningless. */
export const STALE_CACHE_SECONDS = 7 * 24 * 3600

export const UPDATE_MANAGERS = ['apt', 'dnf', 'yum'] as const
export const AUTO_UPDATE_MECHANISMS = ['unattended-upgrades', 'dnf-automatic', 'yum-cron', 'none'] as const

export const PendingUpdateSchema = Obj({
  name: Str({minLength: 1}),
  architecture: Opt(Str({minLength: 1})),
  /** Installed version (apt says it; dnf check-update does not). */
  current: Opt(Str({minLength: 1})),
  candidate: Str({minLength: 1}),
  /** apt: an archive of the candidate is a security suite (bookworm-security, jammy-security); dnf: a security advisory names it. */
  security: Bool(),
  /** apt: the archives (suites) that carry the candidate; dnf/yum: the repository. */
  origins: Arr(Str({minLength: 1})),
})
export type PendingUpdate = Static<typeof PendingUpdateSchema>

export const RebootSchema = Obj({
  /** True when any signal says so; false only when a signal can say no; absent when nothing can tell. */
  required: Opt(Bool()),
  /** Why: `/run/reboot-required exists`, `kernel 6.1.0-26-amd64 installed, 6.1.0-25-amd64 running`, `needs-restarting -r`… */
  reasons: Arr(Str({minLength: 1})),
  /** Packages named in /run/reboot-required.pkgs. */
  packages: Arr(Str({minLength: 1})),
  runningKernel: Str({minLength: 1}),
  /** Kernel releases installed (/boot/vmlinuz-*, else /lib/modules/*), oldest first. Empty in most containers. */
  installedKernels: Arr(Str({minLength: 1})),
  newestKernel: Opt(Str({minLength: 1})),
})

export const AutomaticUpdatesSchema = Obj({
  mechanism: StringEnum(AUTO_UPDATE_MECHANISMS),
  /** Installed and switched on (config and timer); absent when it cannot be told. */
  enabled: Opt(Bool()),
  /** The systemd unit that triggers it and its `systemctl is-enabled` state, when systemd is there. */
  unit: Opt(Str({minLength: 1})),
  unitState: Opt(Str({minLength: 1})),
  /** apt: APT::Periodic::Unattended-Upgrade and Update-Package-Lists as apt-config resolves them (days, "0" = off). */
  unattendedUpgrade: Opt(Str()),
  updatePackageLists: Opt(Str()),
  /** dnf-automatic: apply_updates of /etc/dnf/automatic.conf (false = download or notify only). */
  applyUpdates: Opt(Bool()),
})

export const PENDING_METHODS = ['apt-list', 'lists', 'index'] as const

export const SourceSchema = Obj({
  /** The file that configures it. */
  file: Str({minLength: 1}),
  /** apt: deb or deb-src (one-line or deb822 style); dnf/yum: repo. */
  type: StringEnum(['deb', 'deb-src', 'repo'] as const),
  /** apt: the archive's URI; dnf/yum: baseurl, else mirrorlist or metalink. */
  uri: Opt(Str()),
  /** apt: the suite (bookworm-security, jammy-updates…). */
  suite: Opt(Str()),
  /** apt: the components (main, contrib…). */
  components: Arr(Str()),
  /** dnf/yum: the repository id ([baseos]) and its name. */
  id: Opt(Str()),
  name: Opt(Str()),
  /**
   * It carries the distribution's security updates. apt: a deb source of a `*-security` suite (bookworm-security,
   * trixie-security, jammy-security; `bullseye/updates`-style before Debian 11). dnf/yum: RHEL and its rebuilds have no
   * separate security repository — errata ship in BaseOS and AppStream — so an enabled repository whose id is BaseOS
   * or AppStream (`baseos`, `appstream`, `rhel-9-for-x86_64-baseos-rpms`, `ol9_baseos_latest`), RHEL 7's
   * `rhel-7-server-rpms`, Fedora's and CentOS 7's `updates`, or Amazon Linux's `amazonlinux`/`amzn2-core`.
   */
  security: Bool(),
})
export type SourceData = Static<typeof SourceSchema>

export const UpdatesSchema = Obj({
  manager: StringEnum(UPDATE_MANAGERS),
  /**
   * apt: how the pending list was found: `lists` = the Packages lists and dpkg's status read directly and
   * the candidates chosen like apt's policy (only when nothing can make apt choose otherwise: no pins that
   * could match, no APT::Default-Release, no phased updates); `index` = the same choice, with the lists read on the
   * controller (the host sends the SHA-256 its Release file gives for each list; the controller reads a list's content
   * from the host only when it holds no copy of that hash); `apt-list` = `apt list --upgradable`.
   */
  method: Opt(StringEnum(PENDING_METHODS)),
  /** Number of packages with a newer candidate in the local cache; absent when the cache cannot say. */
  pending: Opt(NonNegInt()),
  /**
   * Pending updates that are security fixes. Absent when no source can tell: no security source is configured (a
   * count of 0 would then mean nothing), its package lists were never downloaded, or the advisories could not be read.
   */
  security: Opt(NonNegInt()),
  packages: Opt(Arr(PendingUpdateSchema)),
  /** The enabled package sources (apt: sources.list, sources.list.d/*.list and *.sources; dnf/yum: /etc/yum.repos.d). Absent when unreadable. */
  sources: Opt(Arr(SourceSchema)),
  /** A security source is among them (see SourceSchema.security); absent when the sources could not be read. */
  securitySource: Opt(Bool()),
  /**
   * apt: installed packages whose name no downloaded Packages list offers (installed by hand, or from a source since
   * removed): their count and up to FOREIGN_NAMES_KEPT of the names, sorted. Read from the same pass over the lists as
   * the pending updates (method `lists` or `index`), at no cost of its own; absent otherwise, `foreignReason` says why.
   */
  foreign: Opt(Obj({count: NonNegInt(), names: Arr(Str())})),
  foreignReason: Opt(Str()),
  /** When the local package cache was last refreshed (apt: /var/lib/apt/lists; dnf: the oldest repomd.xml). */
  cacheUpdatedAt: Opt(Str({format: 'date-time'})),
  cacheAgeSeconds: Opt(NonNegInt()),
  /** Older than 7 days, or never refreshed: pending counts are then not to be trusted. */
  cacheStale: Bool(),
  reboot: RebootSchema,
  automaticUpdates: AutomaticUpdatesSchema,
})
export type UpdatesData = Static<typeof UpdatesSchema>
export type RebootData = Static<typeof RebootSchema>
export type AutomaticUpdatesData = Static<typeof AutomaticUpdatesSchema>

export const updatesSection = defineSection({
  id: 'updates',
  title: 'Pending updates',
  version: 1,
  schema: UpdatesSchema,
  upgrades: [],
})
