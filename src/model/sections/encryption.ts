import {type Static} from '@sinclair/typebox'

import {Arr, Bool, Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const EncryptionSchema = Obj({
  /** Open dm-crypt mappings (lsblk TYPE crypt), with the device under them. */
  mappings: Arr(Obj({name: Str(), backingDevices: Arr(Str()), mountpoint: Opt(Str())})),
  /** Devices holding a LUKS header (FSTYPE crypto_LUKS), opened or not. */
  luksDevices: Arr(Obj({name: Str(), open: Bool()})),
  /** Entries of /etc/crypttab (name and device only: never key material). */
  crypttab: Opt(Arr(Obj({name: Str(), device: Str()}))),
  /** The device of / (lsblk's name), when / is on a block device. */
  rootDevice: Opt(Str()),
  /** / sits on a dm-crypt device somewhere below it (LVM on LUKS included). Unknown when / is not on a block device. */
  rootEncrypted: Opt(Bool()),
  /** Active swap areas from /proc/swaps. */
  swap: Arr(Obj({path: Str(), kind: Str(), inMemory: Bool(), encrypted: Opt(Bool())})),
  /** Every disk-backed swap area is encrypted; unknown when there is none, or it cannot be told. */
  swapEncrypted: Opt(Bool()),
})
export type EncryptionData = Static<typeof EncryptionSchema>

export const encryptionSection = defineSection({
  id: 'encryption',
  title: 'Disk encryption',
  version: 1,
  schema: EncryptionSchema,
  upgrades: [],
})
