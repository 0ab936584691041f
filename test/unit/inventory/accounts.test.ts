import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {AccountsSchema, accountsProbe, parseAccountFiles, parseShadowStatus, parseSudoersPrincipals} from '../../../inventory/accounts.js'
import {ParseError} from '../../../src/collect/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('accounts')

/** crypt(3) prefixes: DES-less modular formats ($1$ md5, $2a/b/y$ bcrypt, $5$/$6$ sha, $y$ yescrypt, $gy$, $7$ scrypt, $sha1$, $md5). */
const day = (n: number) => new Date(n * 86_400_000).toISOString()

const HASH_LIKE = /\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$/

describe('accounts probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: captured output holds no password hash`, () => {
      for (const [name, o] of Object.entries(f.outputs)) {
        expect(o.stdout, name).not.toMatch(HASH_LIKE)
        expect(o.stderr, name).not.toMatch(HASH_LIKE)
      }
      if (f.outputs.shadow?.exitCode === 0) {
        for (const line of stdoutOf(f, 'shadow').split('\n').filter(Boolean)) expect(line).toMatch(/^[^:]+:(set|locked|empty|none)(:\d*){6}$/)
      }
    })

    it(`${f.platform}: reads a valid section`, () => {
      const r = accountsProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(AccountsSchema, r.data)).toEqual([])
      const d = r.data!
      // as many users and groups as awk printed, uid 0 accounts from the same lines
      const userLines = stdoutOf(f, 'files').split('\n').filter((l) => l.startsWith('user:'))
      expect(d.users).toHaveLength(userLines.length)
      expect(d.groups).toHaveLength(stdoutOf(f, 'files').split('\n').filter((l) => l.startsWith('group:')).length)
      expect(d.uid0).toEqual(userLines.filter((l) => l.split(':')[2] === '0').map((l) => l.split(':')[1]))
      expect(d.users.find((u) => u.name === 'root')).toMatchObject({uid: 0, loginShell: true})
      expect(d.users.filter((u) => /nologin$/.test(u.shell)).every((u) => !u.loginShell)).toBe(true)
      if (f.uid === 0) {
        expect(r.status).toBe('ok')
        expect(d.passwords?.map((p) => p.name).sort()).toEqual(stdoutOf(f, 'shadow').split('\n').filter(Boolean).map((l) => l.split(':')[0]).sort())
        const root = d.passwords!.find((p) => p.name === 'root')!
        expect(root.status).toBe(stdoutOf(f, 'shadow').split('\n').find((l) => l.startsWith('root:'))!.split(':')[1])
        expect(d.sudoers?.present).toBe(true)
      } else {
        expect(r).toMatchObject({status: 'partial', reason: 'needs root: password status, sudoers'})
        expect(d.passwords).toBeUndefined()
        expect(d.sudoers).toBeUndefined()
      }
    })
  }

  it('reads Debian 12 defaults: the sudo group and its sudoers rule, SHA512 in login.defs', () => {
    const f = loadFixture('debian-12-root', 'accounts')
    const d = accountsProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.adminGroups.map((g) => g.name)).toEqual(['sudo'])
    expect(d.sudoers!.principals).toEqual(expect.arrayContaining(['root', '%sudo']))
    expect(d.loginDefs).toMatchObject({passMaxDays: 99999, passMinDays: 0, passWarnAge: 7, umask: '022', encryptMethod: 'SHA512'})
  })

  it('Debian 13 moved to yescrypt', () => {
    const f = loadFixture('debian-13-chroot', 'accounts')
    expect(accountsProbe.interpret(f.outputs, contextOf(f)).data!.loginDefs?.encryptMethod).toBe('YESCRYPT')
  })

  it('the shadow command prints statuses, never the hash', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hatang-shadow-'))
    try {
      const file = path.join(dir, 'shadow')
      writeFileSync(
        file,
        [
          'alice:$6$salt$0123456789abcdefghijABCDEFGHIJ0123456789abcdefghij:19700:0:99999:7:::',
          'bob:!$y$j9T$salt$hashhashhashhashhashhashhash:19701:1:90:7:30:20000:',
          'carol::0:0:99999:7:::',
          'daemon:*:19000:0:99999:7:::',
          'broken$6$salt$hashhashhashhashhash',
        ].join('\n') + '\n',
      )
      const cmd = accountsProbe.commands.shadow!.replaceAll('/etc/shadow', file)
      const out = execFileSync('sh', ['-c', cmd], {encoding: 'utf8'})
      expect(out).not.toMatch(HASH_LIKE)
      expect(out).not.toContain('salt')
      expect(parseShadowStatus(out)).toEqual([
        {name: 'alice', status: 'set', lastChange: day(19700), minDays: 0, maxDays: 99999, warnDays: 7},
        {name: 'bob', status: 'locked', lastChange: day(19701), minDays: 1, maxDays: 90, warnDays: 7, inactiveDays: 30, expires: day(20000)},
        {name: 'carol', status: 'empty', mustChange: true, minDays: 0, maxDays: 99999, warnDays: 7},
        {name: 'daemon', status: 'none', lastChange: day(19000), minDays: 0, maxDays: 99999, warnDays: 7},
      ])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('accounts parsers', () => {
  it('expands User_Alias and drops negations', () => {
    expect(parseSudoersPrincipals('alias ADMINS alice,bob\nrule ADMINS\nrule %wheel,!carol\nrule root\n')).toEqual(['alice', 'bob', '%wheel', 'root'])
  })

  it('counts primary-group members of wheel as admins', () => {
    const f = fixtures[0]!
    const outputs = {...f.outputs, files: {...f.outputs.files!, stdout: 'user:root:0:0:/root:/bin/bash\nuser:ops:1000:10:/home/ops:\ngroup:wheel:10:alice\n'}}
    const d = accountsProbe.interpret(outputs, contextOf(f)).data!
    expect(d.adminGroups).toEqual([{name: 'wheel', members: ['alice', 'ops']}])
    // an empty shell field is /bin/sh; no /etc/shells printed means "not listed" cannot be judged
    expect(d.users.find((u) => u.name === 'ops')?.loginShell).toBe(true)
    expect(d.loginDefs).toEqual({})
  })

  it('rejects a shadow line with anything but a status', () => {
    expect(() => parseShadowStatus('root:$6$x$y:1:2:3:4:5:6\n')).toThrow(ParseError)
  })

  it('says sudo is absent when /etc/sudoers does not exist', () => {
    const f = loadFixture('debian-12-root', 'accounts')
    const outputs = {...f.outputs, sudoers: {...f.outputs.sudoers!, stdout: '', exitCode: 3}}
    expect(accountsProbe.interpret(outputs, contextOf(f)).data!.sudoers).toEqual({present: false, principals: []})
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseAccountFiles survives garbage', () => assertParserSurvivesGarbage(parseAccountFiles, samples('files')))
  it('parseShadowStatus survives garbage', () => assertParserSurvivesGarbage(parseShadowStatus, samples('shadow')))
  it('parseSudoersPrincipals survives garbage', () => assertParserSurvivesGarbage(parseSudoersPrincipals, samples('sudoers')))
  for (const cmd of ['files', 'shadow', 'sudoers']) {
    it(`the whole probe survives garbage in ${cmd}`, () =>
      assertParserSurvivesGarbage(
        (text) => {
          const f = loadFixture('debian-12-root', 'accounts')
          const outputs = {...f.outputs, [cmd]: {...f.outputs[cmd]!, stdout: text}}
          return accountsProbe.interpret(outputs, contextOf(f)).data ?? {users: [], groups: [], uid0: [], adminGroups: []}
        },
        samples(cmd),
        AccountsSchema,
      ))
  }
})
