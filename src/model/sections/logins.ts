import {type Static} from '@sinclair/typebox'

import {Arr, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/**
 * How one source of login records was read: `read` (the data is there), `notInstalled` (no tool to read it),
 * `notPresent` (no such file), `needsRoot` (an unprivileged run cannot read it). Only `read` is evidence.
 */
export const LOGIN_SOURCE_STATES = ['read', 'notInstalled', 'notPresent', 'needsRoot'] as const

export const LoginsSchema = Obj({
  /**
   * The last login of every account, as `lastlog` (shadow, /var/log/lastlog) or, where it is gone (Debian 13),
   * `lastlog2` prints it. An account listed without `lastLogin` never logged in (since the file was created);
   * lastlog2 lists only the accounts its database has a record of, so with it an account not listed never logged in.
   * su and sudo are not logins: they are not recorded here.
   */
  lastLog: Obj({
    state: StringEnum(LOGIN_SOURCE_STATES),
    tool: Opt(StringEnum(['lastlog', 'lastlog2'] as const)),
    accounts: Arr(
      Obj({
        name: Str(),
        /** When it last logged in; absent: never. */
        lastLogin: Opt(Str({format: 'date-time'})),
        /** The terminal (tty1, pts/0) and the remote host it came from, as the host recorded them (untrusted text). */
        port: Opt(Str()),
        from: Opt(Str()),
      }),
    ),
  }),
  /**
   * Failed logins in /var/log/btmp (`lastb`, root only), counted per existing account. Failures under names that
   * are no account are only counted, never named: people type their password at the user name prompt.
   */
  failedLogins: Obj({
    state: StringEnum(LOGIN_SOURCE_STATES),
    accounts: Arr(Obj({name: Str(), count: NonNegInt()})),
    /** Failures under names that are no account of this host. */
    unknownNames: NonNegInt(),
  }),
  /**
   * pam_faillock's tally (`faillock`, root only): the failures it still counts (valid) per account, which decide
   * a lockout. `notPresent`: no tally directory (no failure recorded since boot).
   */
  faillock: Obj({
    state: StringEnum(LOGIN_SOURCE_STATES),
    accounts: Arr(Obj({name: Str(), failures: NonNegInt()})),
  }),
})
export type LoginsData = Static<typeof LoginsSchema>
export type LoginSourceState = (typeof LOGIN_SOURCE_STATES)[number]

export const loginsSection = defineSection({
  id: 'logins',
  title: 'Accounts in use',
  version: 1,
  schema: LoginsSchema,
  upgrades: [],
})
