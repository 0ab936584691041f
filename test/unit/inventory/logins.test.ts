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
        expect(d.lastLog.accounts.find((a) => a.name === 'root')).toBeDefined()
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
  it('tells a lone port from a lone host by the header columns; reads the UTC offset', () => {
    const out = [
      '!tool lastlog',
      'Username         Port     From                                       Latest',
      'an               tty1                                                Mon Jan  5 07:00:00 +0700 2026',
      'binh                      10.0.0.5                                   Tue Feb 10 23:30:00 -0130 2026',
      'chi                                                                  **Never logged in**',
    ].join('\n')
    expect(parseLastLog(out).accounts).toEqual([
      {name: 'an', port: 'tty1', lastLogin: '2026-01-05T00:00:00.000Z'},
      {name: 'binh', from: '10.0.0.5', lastLogin: '2026-02-11T01:00:00.000Z'},
      {name: 'chi'},
    ])
    expect(() => parseLastLog('!tool lastlog\nroot  never\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseLastLog, fixtures.filter((f) => partOf(f, 'logins', 'lastlog').exitCode === 0).map((f) => partOf(f, 'logins', 'lastlog').stdout))
  })

  it('counts failures per account, others only as a number; faillock: no tally, denied, or counts', () => {
    expect(parseFailedCounts('user an 2\nuser root 7\nother 40\n')).toEqual({accounts: [{name: 'root', count: 7}, {name: 'an', count: 2}], unknownNames: 40})
    expect(() => parseFailedCounts('user an 2\n')).toThrow(ParseError)
    expect(parseFaillock('!none\n')).toEqual({state: 'notPresent', accounts: []})
    expect(parseFaillock('!denied\nuser an 1\n')).toEqual({state: 'needsRoot', accounts: []})
    expect(parseFaillock('user an 3\n')).toEqual({state: 'read', accounts: [{name: 'an', failures: 3}]})
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
