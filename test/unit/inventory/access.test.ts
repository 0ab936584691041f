import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {accessProbe} from '../../../inventory/access.js'
import {parseKeyFilesListing, parseKeyLine} from '../../../inventory/access/authorized-keys.js'
import {parseSudoers} from '../../../inventory/access/sudoers.js'
import {parseNumberedFiles} from '../../../inventory/kit/numbered-files.js'
import {maskSecretArguments} from '../../../inventory/kit/secret-arguments.js'
import {AccessSchema} from '../../../src/model/sections/access.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, FIXTURES, loadFixture, partOf, probeFixtures} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('access')
const interpret = (platform: string) => {
  const f = loadFixture(platform, 'access')
  return accessProbe.interpret(f.outputs, contextOf(f))
}

describe('access probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(4))

  for (const f of fixtures) {
    it(`${f.platform}: a valid section that never holds a key itself`, () => {
      const r = accessProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(AccessSchema, r.data)).toEqual([])
      const blobs = [...partOf(f, 'access', 'keys').stdout.matchAll(/\bAAAA[A-Za-z0-9+/]{40,}/g)].map((m) => m[0])
      for (const b of blobs) expect(JSON.stringify(r.data)).not.toContain(b.slice(0, 40))
      // root always has a login shell
      expect(r.data!.accounts.find((a) => a.name === 'root')?.loginShell).toBe(true)
    })
  }

  it('as root on this machine: sudo rules of root and %sudo, both asking a password; no key anywhere', () => {
    const r = interpret('debian-12-root')
    expect(r.status).toBe('ok')
    expect(r.data!.sudo!.rules.map((x) => [x.who.join(','), x.forPeople, x.commands.map((c) => `${c.runAs} ${c.command} ${c.noPassword}`)])).toEqual([
      ['root', true, ['ALL:ALL ALL false']],
      ['%sudo', true, ['ALL:ALL ALL false']],
    ])
    expect(r.data!.sudo!.files[0]).toBe('/etc/sudoers')
    expect(r.data!.accounts.filter((a) => a.needsRoot)).toEqual([])
  })

  it('as nobody: root’s keys and sudoers need root, said per account; key counts and rules unknown', () => {
    const r = interpret('debian-12-user')
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^needs root: keys of root.*; sudoers$/)
    const root = r.data!.accounts.find((a) => a.name === 'root')!
    expect(root).toMatchObject({needsRoot: true})
    expect(root.keyCount).toBeUndefined()
    expect(r.data!.sudo).toBeUndefined()
  })

  it('fail capture: a 1024-bit RSA and a DSA key with fingerprints and sizes as ssh-keygen -l printed them; options kept, a password masked', () => {
    const r = interpret('debian-13-access-fail')
    const keygen = readFileSync(path.join(FIXTURES, 'access-keys', 'ssh-keygen-l.txt'), 'utf8').trim().split('\n')
    const alice = r.data!.keys.filter((k) => k.user === 'alice')
    expect(alice.map((k) => `${k.bits} ${k.fingerprint} ${k.comment} (${k.type === 'ssh-dss' ? 'DSA' : 'RSA'})`)).toEqual(keygen.slice(0, 2))
    expect(alice[0]).toMatchObject({name: '/home/alice/.ssh/authorized_keys:1', line: 1, options: [{name: 'from', value: '10.0.0.0/8'}, {name: 'no-pty'}]})
    expect(alice[1]!.options).toEqual([{name: 'command', value: '/usr/local/bin/backup --password=***'}, {name: 'no-port-forwarding'}])
    expect(JSON.stringify(r.data)).not.toContain('hunter2')
    expect(r.data!.accounts.find((a) => a.name === 'alice')).toMatchObject({loginShell: true, keyCount: 2, files: ['/home/alice/.ssh/authorized_keys']})
    const rule = r.data!.sudo!.rules.find((x) => x.file === '/etc/sudoers.d/alice')!
    expect(rule).toMatchObject({name: '/etc/sudoers.d/alice:1', who: ['alice'], forPeople: true, hosts: ['ALL'], commands: [{command: 'ALL', runAs: 'ALL', noPassword: true}]})
  })

  it('pass capture: an ed25519 key (restrict); the service account backup (nologin) is not a person', () => {
    const r = interpret('debian-13-access-pass')
    const keygen = readFileSync(path.join(FIXTURES, 'access-keys', 'ssh-keygen-l.txt'), 'utf8').trim().split('\n')
    const [key] = r.data!.keys
    expect(`${key!.bits} ${key!.fingerprint} ${key!.comment} (ED25519)`).toBe(keygen[2])
    expect(key).toMatchObject({line: 2, type: 'ssh-ed25519', options: [{name: 'restrict'}]})
    const rules = r.data!.sudo!.rules.filter((x) => x.file === '/etc/sudoers.d/alice')
    expect(rules.map((x) => [x.who[0], x.forPeople, x.commands[0]!.command, x.commands[0]!.noPassword])).toEqual([
      ['alice', true, 'ALL', false],
      ['backup', false, '/usr/bin/rsync', true],
    ])
  })

  it('survives garbage', () => assertParserSurvivesGarbage(parseKeyFilesListing, fixtures.map((f) => partOf(f, 'access', 'keys').stdout)))
})

describe('sudoers rules', () => {
  const files = (text: Record<string, string>) =>
    parseNumberedFiles(Object.entries(text).map(([p, t]) => `!file ${p}\n${t.split('\n').map((l, i) => `${i + 1}:${l}`).join('\n')}\n`).join(''))

  it('expands aliases, carries tags, honours Defaults !authenticate and a PASSWD tag over it, and reads sudoers.d only where included', () => {
    const sudo = parseSudoers(
      files({
        '/etc/sudoers': ['User_Alias ADMINS = alice, %ops', 'Cmnd_Alias EVERYTHING = ALL', 'Defaults:ADMINS !authenticate', 'ADMINS ALL = (root) /bin/ls, PASSWD: EVERYTHING', 'bob web1, web2 = NOPASSWD: /usr/bin/systemctl restart nginx : db1 = ALL', '@include /opt/more-sudoers', '@includedir /etc/sudoers.d'].join('\n'),
        '/etc/sudoers.d/carol': 'carol ALL=(ALL:ALL) NOPASSWD: \\\n  ALL',
        '/etc/sudoers.d/skipped.bak': 'mallory ALL=(ALL) NOPASSWD: ALL',
      }),
      [{name: 'alice', uid: 1001, loginShell: true}, {name: 'carol', uid: 1003, loginShell: false}],
    )
    expect(sudo.rules.map((r) => `${r.name} ${r.who.join(',')} ${r.forPeople} ${r.hosts.join(',')} ${r.commands.map((c) => `[${c.runAs ?? ''}] ${c.command} ${c.noPassword}`).join(' | ')}`)).toEqual([
      '/etc/sudoers:4 alice,%ops true ALL [root] /bin/ls true | [root] ALL false',
      // a tag carries within one host's command list, not to the next host's
      '/etc/sudoers:5 bob true web1,web2,db1 [] /usr/bin/systemctl restart nginx true | [] ALL false',
      '/etc/sudoers.d/carol:1 carol false ALL [ALL:ALL] ALL true',
    ])
    expect(sudo.files).toEqual(['/etc/sudoers', '/etc/sudoers.d/carol'])
    expect(sudo.notRead).toEqual(['/opt/more-sudoers'])
  })

  it('a global Defaults !authenticate makes every rule without a tag password-less', () => {
    const sudo = parseSudoers(files({'/etc/sudoers': 'Defaults !authenticate\n%wheel ALL=(ALL) ALL'}))
    expect(sudo.rules[0]!.commands[0]).toEqual({command: 'ALL', runAs: 'ALL', noPassword: true})
  })
})

describe('authorized_keys lines and secrets', () => {
  it('splits quoted options with commas and blanks from the key', () => {
    expect(parseKeyLine('from="a,b",command="echo \\"x y\\"" ssh-ed25519 AAAAC3Nz c')).toEqual({
      options: [{name: 'from', value: 'a,b'}, {name: 'command', value: 'echo "x y"'}],
      type: 'ssh-ed25519',
      base64: 'AAAAC3Nz',
      comment: 'c',
    })
    expect(parseKeyLine('not a key line')).toBeUndefined()
  })
  it('masks secret-looking arguments', () => {
    expect(maskSecretArguments('mysqldump -uroot -phunter2 --password=x TOKEN=abc https://u:pw@h/x db')).toBe('mysqldump -uroot -p*** --password=*** TOKEN=*** https://u:***@h/x db')
  })
})
