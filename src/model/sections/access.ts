import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** sshd's default AuthorizedKeysFile: relative paths are under the account's home. */
export const DEFAULT_AUTHORIZED_KEYS_FILES = ['.ssh/authorized_keys', '.ssh/authorized_keys2'] as const

/** One key option of an authorized_keys line (`from="10.0.0.0/8"`, `no-pty`, `command="…"` with secret-looking arguments masked). */
const KeyOptionSchema = Obj({name: Str(), value: Opt(Str())})

/** One key of an authorized_keys file. Never the key itself: its SHA256 fingerprint, computed from it and then dropped. */
export const AuthorizedKeySchema = Obj({
  /** `file:line`: how reasons name the key. */
  name: Str(),
  /** The account whose file holds it. */
  user: Str(),
  file: Str(),
  line: NonNegInt(),
  /** As written: ssh-ed25519, ssh-rsa, ssh-dss, ecdsa-sha2-nistp256, sk-ssh-ed25519@openssh.com… */
  type: Str(),
  /** Key size in bits as `ssh-keygen -l` prints it; absent when the key could not be decoded. */
  bits: Opt(NonNegInt()),
  /** `SHA256:` and the unpadded base64 of the SHA-256 of the decoded key, as `ssh-keygen -l` prints it. */
  fingerprint: Str(),
  /** The comment after the key (often user@host or an e-mail address: it tells a reviewer whose key it is), at most 100 characters. */
  comment: Opt(Str()),
  options: Arr(KeyOptionSchema),
})

/** An account whose authorized_keys files were looked for. */
const KeyAccountSchema = Obj({
  /** The account's name. */
  name: Str(),
  uid: NonNegInt(),
  home: Str(),
  /** The account's shell lets it log in (as the accounts section decides). Accounts without one are listed only when they hold keys. */
  loginShell: Bool(),
  /** The files found and read. */
  files: Arr(Str()),
  /** Keys found in them. Absent when a file or the home could not be read: how many keys it has is unknown. */
  keyCount: Opt(NonNegInt()),
  /** The home or a key file could not be read by an unprivileged run. */
  needsRoot: Opt(Bool()),
})

const SudoCommandSchema = Obj({
  /** As written, aliases expanded (`ALL`, `/usr/bin/apt update`, `!/bin/su`). */
  command: Str(),
  /** The run-as list in parentheses (`root`, `ALL:ALL`); absent means root. */
  runAs: Opt(Str()),
  /** No password asked: a NOPASSWD tag, or `Defaults !authenticate` for these users without a PASSWD tag. */
  noPassword: Bool(),
})

export const SudoRuleSchema = Obj({
  /** `file:line`: how reasons name the rule. */
  name: Str(),
  /** Users, %groups, #uids and ALL the rule is for, User_Alias expanded; negations kept with their `!`. */
  who: Arr(Str()),
  /**
   * The rule is for people, not only service accounts: it names ALL, a group, a netgroup, or a user that is not a
   * local account whose shell denies login (directory users count as people).
   */
  forPeople: Bool(),
  hosts: Arr(Str()),
  commands: Arr(SudoCommandSchema),
  file: Str(),
  line: NonNegInt(),
})

export const AccessSchema = Obj({
  /** The AuthorizedKeysFile patterns used (from sshd_config and its drop-ins outside Match blocks, else sshd's default). */
  authorizedKeysFiles: Arr(Str()),
  /** Accounts with a login shell, and any other account holding keys. */
  accounts: Arr(KeyAccountSchema),
  keys: Arr(AuthorizedKeySchema),
  /** Rules of /etc/sudoers and the files it includes. Absent: unknown (sudoers is readable by root only). */
  sudo: Opt(
    Obj({
      /** /etc/sudoers exists. */
      installed: Bool(),
      /** The files read, in sudo's order. */
      files: Arr(Str()),
      rules: Arr(SudoRuleSchema),
      /** Included files or folders outside /etc/sudoers.d, not read (their rules are unknown). */
      notRead: Opt(Arr(Str())),
      /**
       * Present (true) only when every file sudo includes was read: a check over all the rules reads it, so that a
       * rule in an unread file leaves it unknown, never passed.
       */
      allRead: Opt(Bool()),
    }),
  ),
})
export type AccessData = Static<typeof AccessSchema>
export type AuthorizedKey = Static<typeof AuthorizedKeySchema>
export type SudoRule = Static<typeof SudoRuleSchema>

export const accessSection = defineSection({
  id: 'access',
  title: 'Keys and privileges',
  version: 1,
  schema: AccessSchema,
  upgrades: [],
})
