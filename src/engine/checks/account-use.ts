import type {AccountsData} from '../../model/sections/accounts.js'
import type {LoginsData} from '../../model/sections/logins.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why} from '../../model/why.js'
import {failBecause as fail, resolveTop, unknownBecause as unknown, type Outcome} from './assertion.js'
import {wholeDays} from '../../model/days.js'

/**
 * How accounts are used, judged across the accounts section (users, shells, shadow status and age) and the logins
 * section (last logins):
 *
 *   {unusedAccounts: {maxIdleDays: 45}}
 *
 * fail when an interactive account (a login shell; root left out: it cannot be disabled, its own checks judge it)
 * has not logged in for more than maxIdleDays days on the day of the snapshot (one that never logged in: its
 * password set more than maxIdleDays days before) and is not disabled (password locked with `!`, or the account
 * expired); unknown when what would decide is not there (last logins unread; password status and age need root).
 * To allow another number of days, copy the check into a pack of your own with another maxIdleDays.
 *
 *   {uniqueUids: true}
 *
 * fail when two accounts share a UID (they are one account to the kernel: files, processes, audit trail).
 */
export interface UnusedAccountsAssertion {
  unusedAccounts: {maxIdleDays: number}
}
export interface UniqueUidsAssertion {
  uniqueUids: true
}

const shown = (items: string[]) => `${items.slice(0, 10).join(', ')}${items.length > 10 ? ` (+${items.length - 10})` : ''}`

/** One interactive account found unused: idle `days` since its last login, or since its password was set when it never logged in. */
export interface UnusedAccount {
  name: string
  days: number
  /** Its last login (ISO); absent: it never logged in. */
  lastLogin?: string
}

/** What the accounts and their last logins say of use on the day `now`: unused accounts, and those that cannot be told. */
export interface AccountUse {
  unused: UnusedAccount[]
  /** Idle too long by their last login, but whether they are disabled needs the shadow file (root). */
  needShadow: string[]
  /** Not in the last-login list at all (lastlog only: lastlog2 lists only the accounts that logged in). */
  notListed: string[]
  /** Never logged in, and no date of password change to count from. */
  noDate: string[]
}

/** Interactive accounts (a login shell; root left out) idle more than `limit` days and not disabled. Pure. */
export function accountUse(accounts: AccountsData, lastLog: LoginsData['lastLog'], now: number, limit: number): AccountUse {
  const {users, passwords} = accounts
  const last = new Map(lastLog.accounts.map((x) => [x.name, x]))
  const shadow = passwords ? new Map(passwords.map((p) => [p.name, p])) : undefined
  const out: AccountUse = {unused: [], needShadow: [], notListed: [], noDate: []}
  for (const u of users) {
    if (!u.loginShell || u.uid === 0) continue
    // lastlog prints every account of passwd; lastlog2 only those its database has a record of: to it, an account
    // it does not list never logged in (since the database was created), as lastlog's "**Never logged in**"
    const record = last.get(u.name) ?? (lastLog.tool === 'lastlog2' ? {name: u.name} : undefined)
    if (!record) {
      out.notListed.push(u.name)
      continue
    }
    const loggedIn = record.lastLogin ? Date.parse(record.lastLogin) : Number.NaN
    if (!Number.isNaN(loggedIn) && wholeDays(loggedIn, now) <= limit) continue
    const pw = shadow?.get(u.name)
    if (!pw) {
      out.needShadow.push(u.name)
      continue
    }
    const expired = pw.expires !== undefined && Date.parse(pw.expires) <= now
    if (pw.status === 'locked' || expired) continue
    const since = Number.isNaN(loggedIn) ? (pw.lastChange ? Date.parse(pw.lastChange) : Number.NaN) : loggedIn
    if (Number.isNaN(since)) {
      out.noDate.push(u.name)
      continue
    }
    const days = wholeDays(since, now)
    if (days <= limit) continue
    out.unused.push(Number.isNaN(loggedIn) ? {name: u.name, days} : {name: u.name, days, lastLogin: record.lastLogin!})
  }
  return out
}

export function evaluateUnusedAccounts(a: UnusedAccountsAssertion, snapshot: Snapshot): Outcome {
  const limit = a.unusedAccounts.maxIdleDays
  const accounts = resolveTop(snapshot, 'accounts')
  if (!accounts.ok) return unknown(accounts.reason, accounts.why)
  const logins = resolveTop(snapshot, 'logins')
  if (!logins.ok) return unknown(logins.reason, logins.why)
  const now = Date.parse(snapshot.meta?.collectedAt ?? '')
  if (Number.isNaN(now)) return unknown('meta.collectedAt is not a date', why('snapshot.noDate'))
  const {lastLog} = logins.value as LoginsData
  if (lastLog.state !== 'read') {
    return lastLog.state === 'notInstalled'
      ? unknown('last logins unknown: neither lastlog nor lastlog2 is installed', why('unused.noLastLogTool', {tools: 'lastlog, lastlog2'}))
      : unknown(`last logins unknown: lastlog ${lastLog.state}`, why('unused.lastLogUnread'))
  }
  const {unused, needShadow, notListed, noDate} = accountUse(accounts.value as AccountsData, lastLog, now, limit)
  if (unused.length) {
    const found = unused.map((u) => `${u.name} (${u.days})`)
    const english = unused.map((u) => (u.lastLogin ? `${u.name} (last login ${u.lastLogin.slice(0, 10)}, ${u.days} days before)` : `${u.name} (never logged in, password set ${u.days} days before)`))
    return fail(`not disabled, unused for more than ${limit} days: ${shown(english)}`, why('unused.accounts', {limit, items: shown(found)}))
  }
  if (needShadow.length) return unknown(`whether ${shown(needShadow)} are disabled is unknown: password status needs root`, why('unused.needShadow', {items: shown(needShadow)}))
  if (notListed.length) return unknown(`${shown(notListed)}: not listed by ${lastLog.tool ?? 'lastlog'}`, why('unused.notListed', {items: shown(notListed), tool: lastLog.tool ?? 'lastlog'}))
  if (noDate.length) return unknown(`${shown(noDate)}: never logged in, and no date of password change to count from`, why('unused.noDate', {items: shown(noDate)}))
  return {verdict: 'pass'}
}

export function evaluateUniqueUids(_a: UniqueUidsAssertion, snapshot: Snapshot): Outcome {
  const accounts = resolveTop(snapshot, 'accounts')
  if (!accounts.ok) return unknown(accounts.reason, accounts.why)
  const byUid = new Map<number, string[]>()
  for (const u of (accounts.value as AccountsData).users) byUid.set(u.uid, [...(byUid.get(u.uid) ?? []), u.name])
  const shared = [...byUid].filter(([, names]) => names.length > 1).map(([uid, names]) => `${uid} (${names.join(', ')})`)
  if (shared.length) return fail(`accounts share a UID: ${shown(shared)}`, why('uid.shared', {items: shown(shared)}))
  return {verdict: 'pass'}
}
