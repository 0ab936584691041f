import {createHmac} from 'node:crypto'

import {type Static} from '@sinclair/typebox'

import {Arr, Obj, Opt, Str} from '../schema-helpers.js'
import type {Section} from '../section.js'
import {defineSection, type SectionUpgrade} from '../section-spec.js'

/** An SMBIOS UUID, lowercase. */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

export const IdentitySchema = Obj({
  /** The kernel's node name (`uname -n`); absent when it is empty or holds blanks or control characters (the reason says so). */
  hostname: Opt(Str({minLength: 1})),
  /** Fully qualified name from /etc/hosts (no DNS query is made), when it is there. */
  fqdn: Opt(Str()),
  /**
   * hatang's app-specific id of the machine: HMAC-SHA256 keyed by /etc/machine-id (or D-Bus's copy) over hatang's
   * application id, its first 128 bits made a v4 UUID, as `sd_id128_get_machine_app_specific()` and
   * `systemd-id128 -u -a 5600303c836846be865dcb5eb58e8963 machine-id` compute it. Equal on clones, like the machine-id
   * itself; the machine-id, which systemd documents as confidential, is not stored (version 1 of the section held it
   * as `machineId`: reading such a section turns it into machineAppId, see identityUpgradeTo2).
   */
  machineAppId: Opt(Str({pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'})),
  /** SMBIOS system UUID, lowercase. */
  systemUuid: Opt(Str({pattern: UUID_PATTERN})),
  /** SMBIOS system serial number. */
  serial: Opt(Str()),
  /**
   * SSH host public keys (/etc/ssh/ssh_host_*_key.pub, readable without root), each with its SHA256 fingerprint as
   * `ssh-keygen -lf` prints it. Identical ones across hosts betray cloned machines. Absent when none is readable.
   */
  sshHostKeys: Opt(Arr(Obj({file: Str(), type: Str(), fingerprint: Str({pattern: '^SHA256:[A-Za-z0-9+/]{43}$'})}))),
})
export type IdentityData = Static<typeof IdentitySchema>

/**
 * hatang's application id for app-specific machine ids (made once with `systemd-id128 new`). Changing it changes
 * every host's machineAppId: never do.
 */
export const HATANG_APP_ID = '5600303c836846be865dcb5eb58e8963'

/**
 * The app-specific id of a machine, as systemd's `sd_id128_get_machine_app_specific()` makes it: HMAC-SHA256 with
 * the 16 bytes of the machine-id as the key over the 16 bytes of the application id, the first 16 bytes of the
 * digest turned into a v4 UUID (version nibble 4, variant bits 10). Written as a UUID, like `systemd-id128 -u`.
 */
export function appSpecificId(machineId: string, appId: string = HATANG_APP_ID): string {
  const hex = /^[0-9a-f]{32}$/
  if (!hex.test(machineId) || !hex.test(appId)) throw new RangeError('an id128 is 32 lowercase hex digits')
  const id = createHmac('sha256', Buffer.from(machineId, 'hex')).update(Buffer.from(appId, 'hex')).digest().subarray(0, 16)
  id[6] = (id[6]! & 0x0f) | 0x40
  id[8] = (id[8]! & 0x3f) | 0x80
  const h = id.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const ID128 = /^[0-9a-f]{32}$/

/**
 * Version 1 → 2: the raw machine-id (`machineId`, deprecated: systemd documents it as confidential) becomes hatang's
 * app-specific id of it, computed as the probe computes it, and is dropped; so a stored run stops carrying it and the
 * fleet's clone check (identity.machineAppId) works on it. Any machineAppId already there is kept.
 */
export const identityUpgradeTo2: SectionUpgrade = {
  to: 2,
  why: 'the raw machine-id is kept only as its app-specific id (machineAppId)',
  upgrade(section: Section<unknown>): Section<unknown> {
    const data = section.data
    if (typeof data !== 'object' || data === null || !('machineId' in data)) return section
    const {machineId, ...rest} = data as Record<string, unknown>
    if (rest.machineAppId === undefined && typeof machineId === 'string' && ID128.test(machineId)) rest.machineAppId = appSpecificId(machineId)
    // in the schema's order, as the probe writes it
    const order = Object.keys(IdentitySchema.properties)
    const ordered = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)))
    return {...section, data: ordered}
  },
}

export const identitySection = defineSection({
  id: 'identity',
  title: 'Identity',
  version: 2,
  schema: IdentitySchema,
  upgrades: [identityUpgradeTo2],
})
