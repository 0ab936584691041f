import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {identityProbe} from '../../../inventory/identity.js'
import {parseHostKeys, parseSshdConfig, parseSshdT, parseSshVersion, pickSshVersion, sshdProbe} from '../../../inventory/sshd.js'
import {SshdSchema} from '../../../src/model/sections/sshd.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'
import {alonePart} from '../../support/parts.js'

const fixtures = probeFixtures('sshd')

describe('sshd probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section`, () => {
      const r = sshdProbe.interpret(f.outputs, contextOf(f))
      expect(['ok', 'partial']).toContain(r.status)
      expect(problemsOf(SshdSchema, r.data)).toEqual([])
      const d = r.data!
      expect(d.installed).toBe(true)
      // independent reading: the client banner carries the full version
      const banner = /OpenSSH_([^,\s]+)/.exec(stdoutOf(f, 'version').split('\n').filter(Boolean).pop()!)![1]
      expect(d.version).toBe(banner)
      expect(d.hostKeys?.length).toBe(stdoutOf(f, 'hostKeys').split('\n').filter((l) => l.startsWith('==> ')).length)
      expect(d.permitRootLogin).toMatch(/^(yes|no|prohibit-password|forced-commands-only)$/)
      expect(d.ports?.length).toBeGreaterThan(0)
      if (d.source === 'sshd -T') {
        const line = stdoutOf(f, 'effective').split('\n').find((l) => l.startsWith('maxauthtries '))!
        expect(d.maxAuthTries).toBe(Number(line.split(' ')[1]))
        expect(d.ciphers?.length).toBeGreaterThan(0)
        expect(r.status).toBe('ok')
      } else {
        expect(r.reason).toBeDefined()
        expect(d.defaulted).toBeDefined()
      }
    })
  }

  it('as root on Debian 12 reads the effective settings, drop-in included', () => {
    const f = loadFixture('debian-12-root', 'sshd')
    const r = sshdProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('ok')
    expect(r.data!.source).toBe('sshd -T')
    const effective = parseSshdT(stdoutOf(f, 'effective'))
    expect(r.data!.clientAliveInterval).toBe(Number(effective.clientaliveinterval![0]))
    expect(r.data!.configFiles!.length).toBe(stdoutOf(f, 'config').split('\n').filter((l) => l.startsWith('==> ')).length)
  })

  it('as nobody on Debian 12 falls back to the files: needs root', () => {
    const root = sshdProbe.interpret(loadFixture('debian-12-root', 'sshd').outputs, contextOf(loadFixture('debian-12-root', 'sshd'))).data!
    const f = loadFixture('debian-12-user', 'sshd')
    const r = sshdProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^needs root: effective settings \(sshd -T\)/)
    expect(r.data!.source).toBe('config')
    // what the files say agrees with what sshd -T says on the same machine
    expect(r.data!.maxAuthTries).toBe(root.maxAuthTries)
    expect(r.data!.clientAliveInterval).toBe(root.clientAliveInterval)
    expect(r.data!.x11Forwarding).toBe(root.x11Forwarding)
    expect(r.data!.hostKeys).toEqual(root.hostKeys)
  })

  it('never carries private key material', () => {
    for (const f of fixtures) expect(JSON.stringify(sshdProbe.interpret(f.outputs, contextOf(f)))).not.toMatch(/PRIVATE KEY/)
  })
})

describe('sshd parsers', () => {
  it('takes the first value, applies Include in place and keeps Match apart', () => {
    const text = [
      '==> /etc/ssh/sshd_config',
      'Port 2222',
      'Include sshd_config.d/*.conf',
      'PermitRootLogin yes',
      'Match User backup',
      '  PasswordAuthentication no',
      '==> /etc/ssh/sshd_config.d/10-a.conf',
      'permitrootlogin=no',
      'Port 22',
    ].join('\n')
    const c = parseSshdConfig(text)
    expect(c.settings.permitrootlogin).toEqual(['no'])
    expect(c.settings.port).toEqual(['2222', '22'])
    expect(c.matchBlocks).toEqual([{criteria: 'User backup', file: '/etc/ssh/sshd_config', settings: {passwordauthentication: ['no']}}])
    expect(c.files).toEqual(['/etc/ssh/sshd_config', '/etc/ssh/sshd_config.d/10-a.conf'])
  })

  it('prefers the client banner when the server prints a shorter one', () => {
    expect(pickSshVersion('OpenSSH_9.2, OpenSSL 3.0\nOpenSSH_9.2p1 Debian-2, OpenSSL 3.0\n')?.version).toBe('9.2p1')
    expect(() => parseSshVersion('usage: sshd [-46D]')).toThrow(ParseError)
  })

  it('rejects a line that is no public key', () => {
    expect(() => parseHostKeys('==> /x.pub\nnot a key\n')).toThrow(ParseError)
  })

  it('host keys: the same as identity reads; a key it cannot size or read leaves the others and says so, never an error', () => {
    const f = loadFixture('debian-12-root', 'sshd')
    const d = sshdProbe.interpret(f.outputs, contextOf(f)).data!
    const identity = loadFixture('debian-12-root', 'identity')
    const ids = identityProbe.interpret(identity.outputs, contextOf(identity)).data!.sshHostKeys!
    expect(d.hostKeys!.map((k) => [k.path, k.fingerprint])).toEqual(ids.map((k) => [k.file, k.fingerprint]))
    const keys = f.outputs.hostKeys!
    const withOdd = {...f.outputs, hostKeys: {...keys, stdout: `${keys.stdout}==> /etc/ssh/ssh_host_xmss_key.pub\nssh-xmss@openssh.com AAAAFHNzaC14bXNzQG9wZW5zc2guY29tAAAAAXg=\n`}}
    const odd = sshdProbe.interpret(withOdd, contextOf(f))
    expect(odd.status).toBe('partial')
    expect(odd.reason).toContain('host key fingerprints: no size known for /etc/ssh/ssh_host_xmss_key.pub (ssh-xmss@openssh.com)')
    expect(odd.data!.hostKeys).toEqual(d.hostKeys)
    const broken = sshdProbe.interpret({...f.outputs, hostKeys: {...keys, stdout: `${keys.stdout}==> /etc/ssh/ssh_host_bad_key.pub\nssh-rsa AAAA\n`}}, contextOf(f))
    expect(broken.status).toBe('partial')
    expect(broken.reason).toMatch(/host key fingerprints: line \d+: \/etc\/ssh\/ssh_host_bad_key\.pub: the key blob does not hold a ssh-rsa key/)
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseSshdT survives garbage', () => assertParserSurvivesGarbage(parseSshdT, samples('effective')))
  it('parseSshdConfig survives garbage', () => assertParserSurvivesGarbage((t) => parseSshdConfig(t), samples('config')))
  it('parseHostKeys survives garbage', () => assertParserSurvivesGarbage(parseHostKeys, samples('hostKeys')))
  it('parseSshVersion survives garbage', () => assertParserSurvivesGarbage(parseSshVersion, samples('version')))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return sshdProbe.interpret(outputs, contextOf(f)).data ?? {installed: false}
      },
      [...samples('config'), ...samples('effective')],
      SshdSchema,
    ))
})

describe('the config command on a host', () => {
  // a private mount and PID namespace (no sshd in its /proc, so /etc/ssh/sshd_config is the file read), with /etc/ssh
  // a folder of this test: Include lines of every spelling, one level deeper, a CRLF line, a file that is not there
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-sshd-config-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  mkdirSync(path.join(dir, 'sshd_config.d'))
  writeFileSync(path.join(dir, 'sshd_config'), 'Port 2222\n  include  = "rel.conf"\nINCLUDE\t/etc/ssh/sshd_config.d/*.conf gone.conf\r\nIncludeX x.conf\nPermitRootLogin no')
  writeFileSync(path.join(dir, 'sshd_config.d', '50-a.conf'), 'MaxAuthTries 4\nInclude lvl2.conf\n')
  writeFileSync(path.join(dir, 'rel.conf'), 'Banner none\n')
  writeFileSync(path.join(dir, 'lvl2.conf'), 'X11Forwarding no\n')
  writeFileSync(path.join(dir, 'x.conf'), 'AllowTcpForwarding no\n')
  const run = (shell: string[]) =>
    spawnSync('unshare', ['-m', '-p', '--fork', '--mount-proc', 'sh', '-c', 'mount --bind "$0" /etc/ssh && exec "$@"', dir, ...shell, alonePart(sshdProbe.commands.config!)], {
      encoding: 'utf8',
      env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'},
      // (not a socket: bash would take itself for a remote shell and read ~/.bashrc)
      stdio: ['ignore', 'pipe', 'pipe'],
    })

  it('follows Include two levels deep, by the shell itself, the same under bash 5 (POSIX mode, as in a batch) and dash', () => {
    const bash = run(['bash', '--posix', '-c'])
    const dash = run(['dash', '-c'])
    expect(bash.status, bash.stderr).toBe(0)
    expect(bash.stdout.split('\n').filter((l) => l.startsWith('==> '))).toEqual([
      '==> /etc/ssh/sshd_config',
      '==> /etc/ssh/rel.conf',
      '==> /etc/ssh/sshd_config.d/50-a.conf',
      // "IncludeX x.conf" is taken for an Include of x.conf, as sed's pattern took it before the shell read the lines
      '==> /etc/ssh/x.conf',
      '==> /etc/ssh/lvl2.conf',
    ])
    // the files themselves, byte for byte; the next name on a line of its own after a last line without its newline
    expect(bash.stdout).toContain('==> /etc/ssh/sshd_config\nPort 2222\n')
    expect(bash.stdout).toContain('PermitRootLogin no\n==> /etc/ssh/rel.conf\nBanner none\n')
    expect(bash).toMatchObject({status: dash.status, stdout: dash.stdout, stderr: dash.stderr})
    expect(parseSshdConfig(bash.stdout, '/etc/ssh/sshd_config', {overrides: [], ports: []}).settings).toMatchObject({port: ['2222'], permitrootlogin: ['no'], banner: ['none'], maxauthtries: ['4'], x11forwarding: ['no']})
  })
})
