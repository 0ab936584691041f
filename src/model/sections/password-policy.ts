import {type Static} from '@sinclair/typebox'

import {Arr, Int, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** The PAM files whose stacks are read, Debian's and RHEL's: the first that exist set the password and auth rules. */
export const PAM_FILES = ['/etc/pam.d/common-password', '/etc/pam.d/common-auth', '/etc/pam.d/system-auth', '/etc/pam.d/password-auth'] as const

/**
 * One effective setting: its value and where it was set (the module's argument on a PAM line, or a line of a
 * configuration file). Without `file`, the module's built-in default applies (the module is in the stack, no line
 * sets it).
 */
const Setting = Obj({value: Int(), file: Opt(Str()), line: Opt(NonNegInt())})
export type PolicySetting = Static<typeof Setting>

export const PasswordPolicySchema = Obj({
  /** The PAM files of PAM_FILES that were read. */
  pamFiles: Arr(Str()),
  /** Files that exist but could not be read (an unprivileged run): what they say is unknown. */
  unreadable: Opt(Arr(Str())),
  /**
   * The password-quality module of the `password` stack (pam_pwquality, or the older pam_cracklib) and its
   * effective settings: pwquality.conf.d/*.conf, then pwquality.conf, then the module's arguments, the last one
   * winning (libpwquality's order); defaults filled in. Absent: no such module, passwords are not checked.
   */
  quality: Opt(
    Obj({
      module: StringEnum(['pam_pwquality', 'pam_cracklib'] as const),
      file: Str(),
      line: NonNegInt(),
      minLength: Setting,
      /** Credits: ≥ 0 is a credit for such characters, < 0 the minimum number of them required. */
      dcredit: Setting,
      ucredit: Setting,
      lcredit: Setting,
      ocredit: Setting,
      /** Classes of characters (digits, upper, lower, others) a password must mix. */
      minClass: Setting,
      retry: Setting,
    }),
  ),
  /**
   * How many old passwords are remembered and refused: pam_pwhistory (its `remember=`, or pwhistory.conf, default
   * 10) or pam_unix `remember=`; the larger when both. Absent: none is.
   */
  history: Opt(Obj({module: StringEnum(['pam_pwhistory', 'pam_unix'] as const), remember: Setting})),
  /**
   * Locking an account after failed logins: pam_faillock (arguments over /etc/security/faillock.conf; defaults
   * deny 3, unlock_time 600, fail_interval 900) or pam_tally2, in the `auth` stack. Absent: no lockout.
   */
  lockout: Opt(
    Obj({
      module: StringEnum(['pam_faillock', 'pam_tally2'] as const),
      file: Str(),
      line: NonNegInt(),
      /** Failures before the account is locked (0: never). */
      deny: Setting,
      /** Seconds the account stays locked (0: until an administrator unlocks it). */
      unlockTime: Setting,
      /** Seconds over which failures are counted (pam_faillock). */
      failInterval: Opt(Setting),
    }),
  ),
})
export type PasswordPolicyData = Static<typeof PasswordPolicySchema>

export const passwordPolicySection = defineSection({
  id: 'passwordPolicy',
  title: 'Password policy',
  version: 1,
  schema: PasswordPolicySchema,
  upgrades: [],
})
