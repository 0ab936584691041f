import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const UserSchema = Obj({
  name: Str(),
  uid: NonNegInt(),
  gid: NonNegInt(),
  home: Str(),
  /** As written in /etc/passwd; empty means /bin/sh. */
  shell: Str(),
  /** The shell lets the user log in: listed in /etc/shells (when it exists) and not nologin or false. */
  loginShell: Bool(),
})

export const GroupSchema = Obj({name: Str(), gid: NonNegInt(), members: Arr(Str())})

const PasswordSchema = Obj({
  name: Str(),
  /** set: a password hash; locked: `!` prefix; none: no usable password (`*`, `!!`-less placeholders); empty: no password needed. */
  status: StringEnum(['set', 'locked', 'empty', 'none'] as const),
  lastChange: Opt(Str({format: 'date-time'})),
  /** lastChange is 0: the user must change the password at next login. */
  mustChange: Opt(Bool()),
  minDays: Opt(NonNegInt()),
  maxDays: Opt(NonNegInt()),
  warnDays: Opt(NonNegInt()),
  inactiveDays: Opt(NonNegInt()),
  expires: Opt(Str({format: 'date-time'})),
})

export const AccountsSchema = Obj({
  users: Arr(UserSchema),
  groups: Arr(GroupSchema),
  /** Accounts with uid 0 (root and any other). */
  uid0: Arr(Str()),
  /** Members of the sudo, wheel and admin groups that exist, primary-group members included. */
  adminGroups: Arr(Obj({name: Str(), members: Arr(Str())})),
  /**
   * Principals granted rules in /etc/sudoers and /etc/sudoers.d (users, %groups, #uids, User_Alias members expanded,
   * negations left out). Only the names, never the rules. Absent: unknown (needs root).
   */
  sudoers: Opt(Obj({present: Bool(), principals: Arr(Str())})),
  /** Password status and aging from /etc/shadow (never the hash). Absent: unknown (needs root). */
  passwords: Opt(Arr(PasswordSchema)),
  /** /etc/login.defs; absent when the file is missing. */
  loginDefs: Opt(
    Obj({
      passMaxDays: Opt(NonNegInt()),
      passMinDays: Opt(NonNegInt()),
      passWarnAge: Opt(NonNegInt()),
      /** Octal, as written: 022, 077. */
      umask: Opt(Str()),
      encryptMethod: Opt(Str()),
    }),
  ),
})
export type AccountsData = Static<typeof AccountsSchema>
export type PasswordStatus = Static<typeof PasswordSchema>

export const accountsSection = defineSection({
  id: 'accounts',
  title: 'Accounts and groups',
  version: 1,
  schema: AccountsSchema,
  upgrades: [],
})
