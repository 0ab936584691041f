import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../inventory/kit/parse-error.js'
import {splitParts} from '../../../inventory/kit/command-parts.js'
import {LOGINS_FILTER, loginsProbe, parseFailedCounts, parseFaillock, parseLastLog} from '../../../inventory/logins.js'
import {LoginsSchema} from '../../../src/model/sections/logins.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, partOf, probeFixtures} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('logins')

describe('logins probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(4))

  for (const f of fixtures) {
    it(`${f.platform}: a valid section; every account lastlog printed, once`, () => {
      const r = loginsProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(LoginsSchema, r.data)).toEqual([])
      const d = r.data!
      if (d.lastLog.state === 'read') {
        const printed = partOf(f, 'logins', 'lastlog').stdout.split('\n').filter((l) => /^\S/.test(l) && !l.startsWith('!tool') && !l.startsWith('Username'))
        expect(d.lastLog.accounts.map((a) => a.name)).toEqual(printed.map((l) => l.split(/\s/)[0]))
        // lastlog lists every account of passwd; lastlog2 only those it has a record of
        if (d.lastLog.tool === 'lastlog') expect(d.lastLog.accounts.find((a) => a.name === 'root')).toBeDefined()
      }
    })
  }

  it('this machine as root reads btmp; as nobody, failed logins need root and the section is partial', () => {
    const root = loginsProbe.interpret(loadFixture('debian-12-root', 'logins').outputs, contextOf(loadFixture('debian-12-root', 'logins')))
    expect(root.data!.failedLogins.state).toBe('read')
    const user = loadFixture('debian-12-user', 'logins')
    const r = loginsProbe.interpret(user.outputs, contextOf(user))
    expect(r).toMatchObject({status: 'partial', reason: 'needs root: failed logins (/var/log/btmp)'})
    expect(r.data!.failedLogins).toEqual({state: 'needsRoot', accounts: [], unknownNames: 0})
    // lastlog is readable by all: the same accounts as root sees
    expect(r.data!.lastLog.accounts.map((a) => a.name)).toEqual(root.data!.lastLog.accounts.map((a) => a.name))
  })

  it('Debian 13 without lastlog nor lastb: not installed, no error', () => {
    const f = loadFixture('debian-13-chroot', 'logins')
    const r = loginsProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('ok')
    expect(r.data!.lastLog).toEqual({state: 'notInstalled', accounts: []})
    expect(r.data!.failedLogins.state).toBe('notInstalled')
  })

  it('a login lastlog recorded: its date in UTC, its terminal and host (the lab where binh logged in)', () => {
    const f = loadFixture('debian-11-logins-pass', 'logins')
    const binh = loginsProbe.interpret(f.outputs, contextOf(f)).data!.lastLog.accounts.find((a) => a.name === 'binh')!
    const line = partOf(f, 'logins', 'lastlog').stdout.split('\n').find((l) => l.startsWith('binh '))!
    expect(binh.lastLogin).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)
    expect(new Date(binh.lastLogin!).getTime()).toBe(Date.parse(line.slice(-30).trim().replace(/^\w{3} (\w{3}) +(\d+) (\S+) (\S+) (\d{4})$/, '$1 $2 $5 $3 GMT$4')))
    expect(binh).toMatchObject({port: 'lastlog', from: 'localhost'})
  })
})

describe('login record parsers', () => {
  it('a lastlog2 capture (Debian 13, pam_lastlog2 sessions in a +0700 zone): a lone port and a lone host told apart, the offset read', () => {
    const f = loadFixture('debian-13-lastlog2', 'logins')
    const printed = partOf(f, 'logins', 'lastlog').stdout
    const d = loginsProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.lastLog.tool).toBe('lastlog2')
    const date = (name: string) => printed.split('\n').find((l) => l.startsWith(`${name} `))!.slice(-30).trim()
    // the printed local time is 7 hours ahead of the UTC the section keeps
    for (const name of ['an', 'binh', 'dung']) {
      expect(date(name)).toMatch(/ \+0700 \d{4}$/)
      const [, mon, day, hms, year] = /^\w{3} (\w{3}) +(\d+) (\S+) \+0700 (\d{4})$/.exec(date(name))!
      expect(d.lastLog.accounts.find((a) => a.name === name)!.lastLogin).toBe(new Date(Date.parse(`${mon} ${day} ${year} ${hms} GMT+0700`)).toISOString())
    }
    expect(d.lastLog.accounts.map(({name, port, from}) => ({name, port, from}))).toEqual([
      {name: 'an', port: 'pts/0', from: '192.0.2.10'},
      {name: 'binh', port: 'tty1', from: undefined},
      {name: 'dung', port: undefined, from: '203.0.113.4'},
    ])
    // lastlog2 lists only the accounts it has a record of: chi, who never logged in, is not printed
    expect(d.lastLog.accounts.find((a) => a.name === 'chi')).toBeUndefined()
    expect(() => parseLastLog('!tool lastlog\nroot  never\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseLastLog, fixtures.filter((f) => partOf(f, 'logins', 'lastlog').exitCode === 0).map((f) => partOf(f, 'logins', 'lastlog').stdout))
  })

  it('counts failures per account, others only as a number; faillock: no tally, denied, or counts', () => {
    expect(parseFailedCounts('user an 2\nuser root 7\nother 40\n')).toEqual({accounts: [{name: 'root', count: 7}, {name: 'an', count: 2}], unknownNames: 40})
    expect(() => parseFailedCounts('user an 2\n')).toThrow(ParseError)
    expect(parseFaillock('!none\n')).toEqual({state: 'notPresent', accounts: []})
    expect(parseFaillock('!denied\nuser an 1\n')).toEqual({state: 'needsRoot', accounts: []})
  })

  it("pam_faillock's tally after real wrong passwords (3 for binh, 1 for an, through pamtester): failures per account; lastb absent on Debian 13", () => {
    const f = loadFixture('debian-13-lastlog2', 'logins')
    const r = loginsProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('ok')
    expect(r.data!.faillock).toEqual({state: 'read', accounts: [{name: 'binh', failures: 3}, {name: 'an', failures: 1}]})
    expect(r.data!.failedLogins.state).toBe('notInstalled')
  })
})

describe('the one awk the three tools print into', () => {
  /** The filter run by a real sh and awk on a stream shaped as the command's group prints it (root is in this machine's /etc/passwd). */
  const filter = (stream: string[]) => {
    const r = spawnSync('sh', ['-c', LOGINS_FILTER], {input: `${stream.join('\n')}\n`, encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    return splitParts({stdout: r.stdout, stderr: '', exitCode: 0, timedOut: false, durationMs: 1, ran: true}, ['lastlog', 'lastb', 'faillock'])
  }

  it('passes lastlog through, counts lastb per existing account, failures per account; a name in btmp cannot forge a marker', () => {
    const out = filter([
      '@@part lastlog', '!tool lastlog', 'Username         Port     From             Latest', 'root                                       **Never logged in**', '@@status lastlog 0',
      '@@part lastb', '@@part faillock ssh:notty    203.0.113.9      Sun Dec  6 08:00 - 08:00  (00:00)', 'root     ssh:notty    203.0.113.9      Sun Dec  6 08:01 - 08:01  (00:00)', '',
      'btmp begins Sun Dec  6 07:00:00 2026', '@@status lastb 0',
      '@@part faillock', 'root:', 'When                Type  Source                                           Valid', '2026-12-06 08:01:00 RHOST 203.0.113.9                                          V', '@@status faillock 0',
    ])
    expect(out.lastlog).toMatchObject({exitCode: 0, stdout: '!tool lastlog\nUsername         Port     From             Latest\nroot                                       **Never logged in**\n'})
    expect(parseFailedCounts(out.lastb!.stdout)).toEqual({accounts: [{name: 'root', count: 1}], unknownNames: 1})
    expect(parseFaillock(out.faillock!.stdout)).toEqual({state: 'read', accounts: [{name: 'root', failures: 1}]})
  })

  it('a tool that is missing or a btmp that cannot be read keeps its own status, and prints nothing', () => {
    const out = filter(['@@part lastlog', '@@status lastlog 127', '@@part lastb', '@@status lastb 4', '@@part faillock', '@@status faillock 127'])
    expect([out.lastlog, out.lastb, out.faillock].map((o) => [o!.exitCode, o!.stdout])).toEqual([[127, ''], [4, ''], [127, '']])
  })
})
