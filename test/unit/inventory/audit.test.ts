import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {auditProbe, forwardTarget, LOGGING_AWK, parseAuditctl, parseAuditState, parseLogging} from '../../../inventory/audit.js'
import {AuditSchema} from '../../../src/model/sections/audit.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {parseProcessTable} from '../../../inventory/kit/process-table.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('audit')

describe('audit probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads a valid section`, () => {
      const r = auditProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(AuditSchema, r.data)).toEqual([])
      const state = stdoutOf(f, 'state')
      expect(r.data!.installed).toBe(/^installed yes$/m.test(state))
      // auditd runs when the process table has one, read independently from its stat lines
      const auditd = [...stdoutOf(f, 'processes').matchAll(/^(\d+) \(auditd\) [^Z]/gm)].map((m) => Number(m[1]))
      expect(r.data!.running).toBe(auditd.length > 0)
      expect(r.data!.pids).toEqual(auditd.sort((a, b) => a - b))
      const logging = stdoutOf(f, 'logging')
      expect(r.data!.logging!.syslog.map((x) => x.name)).toEqual([...logging.matchAll(/^syslog (\S+)/gm)].map((m) => m[1]))
      expect(r.data!.logging!.journald.journalDir).toBe(/^journal dir$/m.test(logging))
      if (f.uid === 0 && r.data!.installed) {
        expect(r.status).toBe('ok')
        const enabled = /^enabled (\d)/m.exec(stdoutOf(f, 'auditctl'))![1]
        expect(r.data!.enabled).toBe(enabled !== '0')
        expect(r.data!.rules).toBeGreaterThanOrEqual(0)
      }
    })
  }

  it('as nobody on Debian 12: needs root for the kernel side', () => {
    const f = loadFixture('debian-12-user', 'audit')
    const r = auditProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^needs root/)
    expect(r.data!.enabled).toBeUndefined()
    expect(r.data!.rules).toBeUndefined()
  })

  it('as root on Debian 12: "No rules" is zero rules', () => {
    const f = loadFixture('debian-12-root', 'audit')
    const d = auditProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.rules).toBe(/^No rules$/m.test(stdoutOf(f, 'auditctl')) ? 0 : stdoutOf(f, 'auditctl').split('--- rules\n')[1]!.split('\n').filter(Boolean).length)
  })
})

describe('logging', () => {
  it('Debian 11 (chroot): rsyslog installed, not running, no journal on disk', () => {
    const f = loadFixture('debian-11-chroot', 'audit')
    expect(auditProbe.interpret(f.outputs, contextOf(f)).data!.logging).toEqual({
      syslog: [{name: 'rsyslogd', running: false}],
      journald: {running: false, storage: 'auto', journalDir: false, persistent: false},
      forwarding: [],
    })
  })

  it('Debian 13 (chroot): /var/log/journal with Storage=auto keeps the journal on disk', () => {
    const f = loadFixture('debian-13-chroot', 'audit')
    expect(auditProbe.interpret(f.outputs, contextOf(f)).data!.logging!.journald).toMatchObject({storage: 'auto', journalDir: true, persistent: true})
  })

  it('the last Storage= wins, drop-ins after journald.conf in the order of their names; daemons run as the process table says', () => {
    const text = [
      'syslog rsyslogd',
      'syslog syslog-ng',
      'systemd booted',
      'journal dir',
      'journald /etc/systemd/journald.conf:Storage=persistent',
      'journald /etc/systemd/journald.conf.d/50-volatile.conf:Storage=volatile',
      'journald /usr/lib/systemd/journald.conf.d/10-x.conf:Storage=none',
      'forward /etc/rsyslog.d/90-remote.conf:*.* @@(o)logs.example.vn:6514',
    ].join('\n')
    // journald runs as systemd-journal: the kernel cuts process names at 15 characters
    const processes = parseProcessTable('312 (systemd-journal) S 1 312 312 0 -1 4194560 0 0\n612 (rsyslogd) S 1 612 612 0 -1 4194560 0 0\n')
    expect(parseLogging(text, processes)).toEqual({
      syslog: [
        {name: 'rsyslogd', running: true},
        {name: 'syslog-ng', running: false},
      ],
      journald: {running: true, storage: 'volatile', journalDir: true, persistent: false},
      forwarding: [{file: '/etc/rsyslog.d/90-remote.conf', target: 'logs.example.vn'}],
    })
  })

  it("the command's awk picks Storage= and forwarding lines out of real files, comments left out", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-logging-'))
    try {
      mkdirSync(path.join(dir, 'journald.conf.d'))
      const journald = path.join(dir, 'journald.conf')
      const dropin = path.join(dir, 'journald.conf.d', '60-volatile.conf')
      const rsyslog = path.join(dir, 'rsyslog.conf')
      writeFileSync(journald, '[Journal]\n#Storage=auto\nStorage=persistent\n')
      writeFileSync(dropin, '[Journal]\nStorage=volatile\n')
      writeFileSync(rsyslog, '#*.* @@old:514\n$ActionMailTo root@localhost\n*.* @@loghost.example.vn:514\n*.* action(type="omfwd" target="10.0.0.9" port="514")\nauth.* /var/log/auth.log\n')
      const r = spawnSync('awk', [LOGGING_AWK, journald, dropin, rsyslog], {encoding: 'utf8'})
      expect(r.status, r.stderr).toBe(0)
      expect(parseLogging(r.stdout, [])).toEqual({
        syslog: [],
        journald: {running: false, storage: 'volatile', journalDir: false, persistent: false},
        forwarding: [
          {file: rsyslog, target: 'loghost.example.vn'},
          {file: rsyslog, target: '10.0.0.9'},
        ],
      })
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('finds the remote host in rsyslog and syslog-ng forms', () => {
    expect(forwardTarget('*.* @10.0.0.5:514')).toBe('10.0.0.5')
    expect(forwardTarget('auth,authpriv.* @@[2001:db8::5]:514')).toBe('[2001:db8::5]')
    expect(forwardTarget('*.* action(type="omfwd" target="loghost" port="514" protocol="tcp")')).toBe('loghost')
    expect(forwardTarget('destination d_net { network("10.1.1.1" port(514)); };')).toBe('10.1.1.1')
    expect(forwardTarget('$ActionMailTo admin@example.vn')).toBeUndefined()
  })
  it('parseLogging survives garbage', () => assertParserSurvivesGarbage((text) => parseLogging(text, []), fixtures.map((f) => f.outputs.logging?.stdout ?? '')))
})

describe('audit parsers', () => {
  it('reads a locked configuration with rules', () => {
    expect(parseAuditctl('enabled 2\nfailure 2\npid 612\nbacklog_limit 8192\nlost 3\n--- rules\n-w /etc/passwd -p wa -k identity\n-a always,exit -F arch=b64 -S execve\n')).toEqual({
      enabled: true,
      locked: true,
      failureMode: 2,
      backlogLimit: 8192,
      lost: 3,
      rules: 2,
    })
    expect(parseAuditState('installed no\n')).toEqual({installed: false})
    expect(() => parseAuditctl('You must be root\n')).toThrow(ParseError)
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseAuditState survives garbage', () => assertParserSurvivesGarbage(parseAuditState, samples('state')))
  it('parseAuditctl survives garbage', () => assertParserSurvivesGarbage(parseAuditctl, samples('auditctl')))
  it('the whole probe survives garbage', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = loadFixture('debian-12-root', 'audit')
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return auditProbe.interpret(outputs, contextOf(f)).data ?? {installed: false, running: false, pids: []}
      },
      [...samples('state'), ...samples('auditctl')],
      AuditSchema,
    ))
})
