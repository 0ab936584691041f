import type {Static} from '@sinclair/typebox'
import {Type} from './type-builder.js'

import {Arr, Obj, Opt, Str} from './schema-helpers.js'

/** A package's expected state in a standard: installed (any version), not installed, or installed at this version. */
export const PACKAGE_PRESENT = 'present'
export const PACKAGE_ABSENT = 'absent'

/**
 * A standard: the values a group's hosts are expected to have, written in a file of its own (hosts.yaml
 * `reference: {file: standards/web.yaml}`). Each part is optional; a fleet check whose subject the standard does not
 * state is unknown for the group, never a pass. Keys are the same words as the snapshot's (sshd keywords lower-cased
 * as `sshd -T` prints them).
 */
export const StandardSchema = Obj(
  {
    /** The standard's name in reports; the file's path as written when absent. */
    name: Opt(Str({minLength: 1, description: 'A name for reports; default: the file path as written in the hosts file.'})),
    /** Package name → version, `present` (installed, any version) or `absent` (not installed). */
    packages: Opt(Type.Record(Str({pattern: '^[A-Za-z0-9][A-Za-z0-9+._:*-]*$'}), Str({minLength: 1}), {description: "Package name → its version, 'present' or 'absent'."})),
    /** sshd keyword → value (several values separated by spaces, as `sshd -T` prints them). */
    sshd: Opt(Type.Record(Str({pattern: '^[A-Za-z][A-Za-z0-9]*$'}), Str(), {description: "sshd keyword → value as 'sshd -T' prints it."})),
    /** The time servers (addresses or pool names) configured on every host. */
    timeServers: Opt(Arr(Str({minLength: 1}), {minItems: 1, description: 'Configured NTP servers or pools.'})),
    /** The running kernel release (`uname -r`). */
    kernel: Opt(Str({minLength: 1, description: "The running kernel release, as 'uname -r' prints it."})),
    /** The OS release (PRETTY_NAME of os-release). */
    os: Opt(Str({minLength: 1, description: 'The OS release, as PRETTY_NAME of /etc/os-release.'})),
    /** The time synchronization daemon (chrony, systemd-timesyncd, ntpd…). */
    timeDaemon: Opt(Str({minLength: 1, description: 'The time synchronization daemon.'})),
  },
  {$id: 'urn:hatang:schema:standard', title: 'hatang standard (the expected values of a group of hosts)'},
)
export type Standard = Static<typeof StandardSchema>

/**
 * What a group of the hosts file declares right (`reference:`): one of its hosts, or a standard read from a file.
 * Recorded in each member's snapshot (host.references), so a stored run is judged later exactly as it was.
 */
export const GroupReferenceSchema = Obj({
  group: Str({minLength: 1}),
  /** A host of the group whose values are the expected ones. */
  host: Opt(Str({minLength: 1})),
  /** A standard file, as the hosts file names it, with its content. */
  standard: Opt(Obj({file: Str({minLength: 1}), ...StandardSchema.properties})),
})
export type GroupReference = Static<typeof GroupReferenceSchema>

/** The name a reference goes by in reports: the host's name, or the standard's (its file when unnamed). */
export function referenceName(r: GroupReference): string {
  return r.host ?? r.standard?.name ?? r.standard?.file ?? r.group
}

/** The snapshot path each part of a standard states (the fleet checks compare these paths); packages apart. */
export const STANDARD_PATHS: Readonly<Record<string, Exclude<keyof Standard, 'name' | 'packages'>>> = {
  'os.prettyName': 'os',
  'os.kernel': 'kernel',
  'sshd.settings': 'sshd',
  'timeSync.configuredServers': 'timeServers',
  'timeSync.daemon': 'timeDaemon',
}
