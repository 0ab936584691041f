import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {accountsProbe, parseAccountFiles, parseShadowStatus, parseSudoersPrincipals} from '../../../inventory/accounts.js'
import {AccountsSchema} from '../../../src/model/sections/accounts.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'
import {alonePart} from '../../support/parts.js'

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
      expect(d.uid0).toEqual(userLines.filter((l) => l.split(':')[3] === '0').map((l) => l.split(':')[2]))
      expect(stdoutOf(f, 'files')).not.toMatch(/^bad:/m)
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
      const out = execFileSync('sh', ['-c', alonePart(cmd)], {encoding: 'utf8'})
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

  it('skips a malformed line of /etc/passwd or /etc/group, names it, and keeps every other account', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hatang-passwd-'))
    try {
      const passwd = path.join(dir, 'passwd')
      const group = path.join(dir, 'group')
      writeFileSync(
        passwd,
        [
          'root:x:0:0:root:/root:/bin/bash',
          'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
          'broken:x:1001:1001:/home/broken',
          '',
          'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash',
          'mallory:x:zero:0::/root:/bin/sh',
          '+@netgroup::::::',
          'bob:x:1002:1002::/home/bob:/bin/sh:extra',
        ].join('\n') + '\n',
      )
      writeFileSync(group, ['root:x:0:', 'sudo:x:27:alice', 'odd:x:28', 'users:x:100:'].join('\n') + '\n')
      const f = loadFixture('debian-12-root', 'accounts')
      const cmd = accountsProbe.commands.files!.replaceAll('/etc/passwd', passwd).replaceAll('/etc/group', group)
      // the command runs for real on these files (its awk's file names replaced too); what it prints names them back
      const stdout = execFileSync('sh', ['-c', alonePart(cmd)], {encoding: 'utf8'}).replaceAll(passwd, '/etc/passwd').replaceAll(group, '/etc/group')
      const r = accountsProbe.interpret({...f.outputs, files: {...f.outputs.files!, stdout}}, contextOf(f))
      expect(r.status).toBe('partial')
      expect(r.reason).toBe(
        'skipped /etc/passwd line 3: 5 fields, expected 7; /etc/passwd line 6: uid is not a number; /etc/passwd line 8: 8 fields, expected 7; /etc/group line 3: 3 fields, expected 4',
      )
      expect(r.data!.users.map((u) => u.name)).toEqual(['root', 'daemon', 'alice'])
      expect(r.data!.groups.map((g) => g.name)).toEqual(['root', 'sudo', 'users'])
      expect(r.data!.uid0).toEqual(['root'])
      expect(r.data!.passwords).toBeDefined()
      expect(problemsOf(AccountsSchema, r.data)).toEqual([])
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
    const outputs = {...f.outputs, files: {...f.outputs.files!, stdout: 'user:1:root:0:0:/root:/bin/bash\nuser:2:ops:1000:10:/home/ops:\ngroup:1:wheel:10:alice\n'}}
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
