import type {AccountsData} from '../../model/sections/accounts.js'
import type {LoginsData} from '../../model/sections/logins.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why} from '../../model/why.js'
import {failBecause as fail, resolveTop, unknownBecause as unknown, type Outcome} from './assertion.js'

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

const DAY_MS = 86_400_000
const shown = (items: string[]) => `${items.slice(0, 10).join(', ')}${items.length > 10 ? ` (+${items.length - 10})` : ''}`

export function evaluateUnusedAccounts(a: UnusedAccountsAssertion, snapshot: Snapshot): Outcome {
  const limit = a.unusedAccounts.maxIdleDays
  const accounts = resolveTop(snapshot, 'accounts')
  if (!accounts.ok) return unknown(accounts.reason, accounts.why)
  const logins = resolveTop(snapshot, 'logins')
  if (!logins.ok) return unknown(logins.reason, logins.why)
  const now = Date.parse(snapshot.meta?.collectedAt ?? '')
  if (Number.isNaN(now)) return unknown('meta.collectedAt is not a date', why('snapshot.noDate'))
  const {users, passwords} = accounts.value as AccountsData
  const {lastLog} = logins.value as LoginsData
  if (lastLog.state !== 'read') {
    return lastLog.state === 'notInstalled'
      ? unknown('last logins unknown: neither lastlog nor lastlog2 is installed', why('unused.noLastLogTool', {tools: 'lastlog, lastlog2'}))
      : unknown(`last logins unknown: lastlog ${lastLog.state}`, why('unused.lastLogUnread'))
  }
  const last = new Map(lastLog.accounts.map((x) => [x.name, x]))
  const shadow = passwords ? new Map(passwords.map((p) => [p.name, p])) : undefined
  const found: string[] = []
  const english: string[] = []
  const needShadow: string[] = []
  const notListed: string[] = []
  const noDate: string[] = []
  for (const u of users) {
    if (!u.loginShell || u.uid === 0) continue
    const record = last.get(u.name)
    if (!record) {
      notListed.push(u.name)
      continue
    }
    const loggedIn = record.lastLogin ? Date.parse(record.lastLogin) : Number.NaN
    if (!Number.isNaN(loggedIn) && Math.floor((now - loggedIn) / DAY_MS) <= limit) continue
    const pw = shadow?.get(u.name)
    if (!pw) {
      needShadow.push(u.name)
      continue
    }
    const expired = pw.expires !== undefined && Date.parse(pw.expires) <= now
    if (pw.status === 'locked' || expired) continue
    const since = Number.isNaN(loggedIn) ? (pw.lastChange ? Date.parse(pw.lastChange) : Number.NaN) : loggedIn
    if (Number.isNaN(since)) {
      noDate.push(u.name)
      continue
    }
    const days = Math.floor((now - since) / DAY_MS)
    if (days <= limit) continue
    found.push(`${u.name} (${days})`)
    english.push(Number.isNaN(loggedIn) ? `${u.name} (never logged in, password set ${days} days before)` : `${u.name} (last login ${record.lastLogin!.slice(0, 10)}, ${days} days before)`)
  }
  if (found.length) return fail(`not disabled, unused for more than ${limit} days: ${shown(english)}`, why('unused.accounts', {limit, items: shown(found)}))
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
