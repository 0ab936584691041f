import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** A GRUB file the probe looked into: whether it sets superusers and a password (never the password or its hash). */
const GrubFileSchema = Obj({
  file: Str(),
  /** False when the file exists but could not be read (grub.cfg is often 0600: needs root). */
  readable: Bool(),
  /** A `set superusers=` line. */
  superusers: Opt(Bool()),
  /** A `password_pbkdf2` or `password` line, or GRUB2_PASSWORD= (user.cfg of grub2-setpassword). */
  password: Opt(Bool()),
})

export const BootSchema = Obj({
  /**
   * The kernel command line (/proc/cmdline), one parameter a string. Values of parameters whose name looks like a
   * secret (password, secret, token, key) are replaced by `(hidden)`. Absent when /proc/cmdline could not be read.
   */
  cmdline: Opt(Arr(Str())),
  /** How the machine booted: `efi` when /sys/firmware/efi exists; `bios` otherwise (legacy BIOS, or a VM with no EFI firmware). */
  firmware: StringEnum(['efi', 'bios']),
  /**
   * Secure Boot, on EFI only: `enabled` from the SecureBoot efivar's value byte (1 on, 0 off), or from `mokutil
   * --sb-state` where the variable cannot be read; absent (with `reason`) when neither could tell. The whole object is
   * absent when the machine did not boot by EFI.
   */
  secureBoot: Opt(Obj({enabled: Opt(Bool()), source: Opt(StringEnum(['efivar', 'mokutil'])), reason: Opt(Str())})),
  /** TPM devices the kernel has (/sys/class/tpm/tpm*), with the major version where the kernel tells it (tpm_version_major). */
  tpm: Obj({present: Bool(), devices: Arr(Obj({name: Str(), version: Opt(NonNegInt())}))}),
  /** The boot loader's password protection (GRUB): the files read and what they set. */
  bootloader: Obj({
    /** A GRUB configuration was found (grub.cfg, /etc/grub.d). */
    grub: Bool(),
    files: Arr(GrubFileSchema),
    /**
     * GRUB asks for a password: some file sets superusers and some sets a password. Absent when GRUB was not found,
     * or when none of the files read says so and one could not be read (needs root).
     */
    password: Opt(Bool()),
  }),
})
export type BootData = Static<typeof BootSchema>

export const bootSection = defineSection({
  id: 'boot',
  title: 'Boot and kernel',
  version: 1,
  schema: BootSchema,
  upgrades: [],
})
