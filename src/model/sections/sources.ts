import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection, type SectionUpgrade} from '../section-spec.js'
import type {Section} from '../section.js'

const RepositorySchema = Obj({
  /** Where it is configured: the file and the line of the source (one-line), of the stanza's first field (deb822) or of the [section] (dnf). */
  file: Str(),
  line: NonNegInt(),
  format: StringEnum(['one-line', 'deb822', 'repo']),
  /** apt: `Enabled: no` (deb822) sets false; dnf: `enabled=0`. Disabled repositories are listed too. */
  enabled: Bool(),
  /** apt: deb, deb-src; dnf: empty. */
  types: Arr(Str()),
  /** apt: URIs; dnf: baseurl, else mirrorlist or metalink. */
  uris: Arr(Str()),
  /** apt only. */
  suites: Arr(Str()),
  components: Arr(Str()),
  /** dnf: the repository id; apt: `FILE:LINE` (how findings name it). */
  id: Str(),
  /** dnf: the repository's name. */
  name: Opt(Str()),
  /** apt `signed-by` / `Signed-By`: key file paths or fingerprints as written; `(inline key)` for a key embedded in a deb822 stanza. */
  signedBy: Opt(Str()),
  /** apt `[trusted=yes]` / `Trusted: yes`: apt accepts it even unsigned. */
  trusted: Bool(),
  /** apt `[allow-insecure=yes]` / `Allow-Insecure: yes`. */
  allowInsecure: Bool(),
  /** dnf `gpgcheck` and `repo_gpgcheck`; absent when the file does not set them (dnf.conf's [main] decides). */
  gpgcheck: Opt(Bool()),
  repoGpgcheck: Opt(Bool()),
  /**
   * The package manager checks what it downloads from it: false for apt with trusted=yes, allow-insecure=yes or
   * Acquire::AllowInsecureRepositories / APT::Get::AllowUnauthenticated set, for dnf with gpgcheck=0.
   */
  signatureChecked: Bool(),
})
export type RepositoryData = Static<typeof RepositorySchema>

export const SourcesSchema = Obj({
  manager: StringEnum(['apt', 'dnf']),
  /** Every repository configured (apt: sources.list, sources.list.d/*.list and *.sources; dnf/yum: /etc/yum.repos.d/*.repo). */
  repositories: Arr(RepositorySchema),
  /** Source files that could not be read: what they configure is unknown. */
  unreadable: Opt(Arr(Str())),
  /** apt's settings that turn signature checking off for every source (apt-config). */
  aptInsecure: Opt(Obj({allowInsecureRepositories: Bool(), allowUnauthenticated: Bool()})),
  /** Packages held at their version (dpkg `hold`; dnf versionlock entries). Absent when not read. */
  held: Opt(Arr(Str())),
})
export type SourcesData = Static<typeof SourcesSchema>

/** Version 1 carried `foreign`/`foreignReason`: they now come from the updates pass over the lists (updates.foreign). */
export const sourcesUpgradeTo2: SectionUpgrade = {
  to: 2,
  why: 'the foreign packages moved to the updates section (updates.foreign), read in the same pass as the pending updates',
  upgrade(section: Section<unknown>): Section<unknown> {
    const data = section.data
    if (typeof data !== 'object' || data === null) return section
    const {foreign: _foreign, foreignReason: _reason, ...rest} = data as Record<string, unknown>
    return {...section, data: rest}
  },
}

export const sourcesSection = defineSection({
  id: 'sources',
  title: 'Package sources',
  version: 2,
  schema: SourcesSchema,
  upgrades: [sourcesUpgradeTo2],
})
