import {describe, expect, it} from 'vitest'

import {parseInit, parseInitScripts, parseListUnitFiles, parseListUnits, servicesProbe, stateOfScript, systemdServices} from '../../../inventory/services.js'
import {ServicesSchema} from '../../../src/model/sections/services.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('services')

describe('services probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: says honestly that no service manager runs, and lists the init scripts`, () => {
      const r = servicesProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(ServicesSchema, r.data)).toEqual([])
      const d = r.data!
      // PID 1's name, read independently from its stat line
      const pid1 = /^1 \((.*)\) /m.exec(stdoutOf(f, 'processes'))![1]!
      expect(d.pid1).toBe(pid1)
      expect(stdoutOf(f, 'init')).not.toMatch(/^has \/run\/systemd\/system$/m)
      expect(d.manager).toBe(pid1 === 'init' ? 'sysvinit' : 'none')
      expect(r.status).toBe('partial')
      expect(r.reason).toContain(`no service manager runs (PID 1 is ${pid1})`)
      expect(d.source).toBe('init.d')
      expect(d.stateFrom).toBe('heuristic')
      // one service per executable script, enabled when an S link names it
      const scripts = stdoutOf(f, 'sysv').split('\n').filter((l) => l.startsWith('script ')).map((l) => l.slice(7))
      expect(d.services.map((s) => s.name).sort()).toEqual(scripts.filter((s) => s !== 'README' && s !== 'rc' && s !== 'rcS').sort())
      const links = stdoutOf(f, 'sysv').split('\n').filter((l) => /^link \/etc\/rc[2-5S]\.d\/S/.test(l))
      for (const s of d.services) expect(s.enabled).toBe(links.some((l) => l.replace(/^.*\/S\d*/, '') === s.name))
      // processes: kernel threads (kthreadd's children) left out, unique
      expect(new Set(d.processes).size).toBe(d.processes.length)
      expect(d.processes).toContain(pid1)
      expect(d.processes).not.toContain('kthreadd')
    })
  }

  it('guesses states from the process list: chronyd runs, sshd does not, procps starts nothing', () => {
    const f = loadFixture('debian-12-root', 'services')
    const d = servicesProbe.interpret(f.outputs, contextOf(f)).data!
    const comms = stdoutOf(f, 'processes').split('\n').map((l) => /^\d+ \((.*)\) /.exec(l)?.[1])
    const state = (n: string) => d.services.find((s) => s.name === n)?.state
    expect(state('chrony')).toBe(comms.includes('chronyd') ? 'running' : 'stopped')
    expect(state('ssh')).toBe(comms.includes('sshd') ? 'running' : 'stopped')
    expect(state('procps')).toBe('unknown')
  })

  it('the same as an unprivileged user (/proc is readable)', () => {
    const f = loadFixture('debian-12-user', 'services')
    const r = servicesProbe.interpret(f.outputs, contextOf(f))
    expect(r.reason).not.toMatch(/needs root/)
    expect(r.data!.processes.length).toBeGreaterThan(1)
  })

  it('reads a systemd host from systemctl and merges unit file states', () => {
    const f = fixtures[0]!
    const outputs = {
      ...f.outputs,
      init: {...f.outputs.init!, stdout: 'pid1 systemd\nhas /run/systemd/system\nhas /etc/init.d\n'},
      units: {...f.outputs.units!, exitCode: 0, stdout: 'ssh.service loaded active running OpenBSD Secure Shell server\ngetty@tty1.service loaded active running Getty on tty1\nfoo.service not-found inactive dead foo.service\nbad.service loaded failed failed Bad\n'},
      unitFiles: {...f.outputs.unitFiles!, exitCode: 0, stdout: 'ssh.service enabled enabled\ngetty@.service enabled enabled\nsshd.service alias -\nbad.service static -\ncron.service disabled enabled\n'},
    }
    const r = servicesProbe.interpret(outputs, contextOf(f))
    expect(r.status).toBe('ok')
    expect(problemsOf(ServicesSchema, r.data)).toEqual([])
    expect(r.data).toMatchObject({manager: 'systemd', pid1: 'systemd', source: 'systemctl', stateFrom: 'manager'})
    expect(r.data!.services).toEqual([
      {name: 'bad.service', state: 'failed', subState: 'failed', unitFileState: 'static', description: 'Bad'},
      {name: 'cron.service', state: 'stopped', enabled: false, unitFileState: 'disabled'},
      {name: 'getty@tty1.service', state: 'running', enabled: true, subState: 'running', unitFileState: 'enabled', description: 'Getty on tty1'},
      {name: 'ssh.service', state: 'running', enabled: true, subState: 'running', unitFileState: 'enabled', description: 'OpenBSD Secure Shell server'},
    ])
  })
})

describe('services parsers', () => {
  it('expands script variables to find pid files and daemons', () => {
    const scripts = parseInitScripts('script foo\n/etc/init.d/foo:NAME=food\n/etc/init.d/foo:DAEMON=/usr/sbin/$NAME\n/etc/init.d/foo:--exec $DAEMON\n/run/food.pid:77\n')
    expect(stateOfScript('foo', scripts, [{pid: 77, comm: 'whatever', state: 'S', kernelThread: false}])).toBe('running')
    expect(stateOfScript('foo', scripts, [{pid: 78, comm: 'food', state: 'S', kernelThread: false}])).toBe('running')
    expect(stateOfScript('foo', scripts, [{pid: 78, comm: 'bash', state: 'S', kernelThread: false}])).toBe('stopped')
  })

  it('rejects what systemctl does not print', () => {
    expect(() => parseListUnits('not a unit line\n')).toThrow(ParseError)
    expect(() => parseListUnitFiles('ssh.service\n')).toThrow(ParseError)
  })

  it('merges nothing into nothing', () => {
    expect(systemdServices([], new Map())).toEqual([])
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  const unitSample = ['ssh.service loaded active running OpenBSD Secure Shell server\n● bad.service loaded failed failed Bad\n']
  it('parseInit survives garbage', () => assertParserSurvivesGarbage(parseInit, samples('init')))
  it('parseInitScripts survives garbage', () => assertParserSurvivesGarbage(parseInitScripts, samples('sysv')))
  it('parseListUnits survives garbage', () => assertParserSurvivesGarbage(parseListUnits, unitSample))
  it('parseListUnitFiles survives garbage', () => assertParserSurvivesGarbage(parseListUnitFiles, ['ssh.service enabled enabled\ngetty@.service enabled -\n']))
  for (const cmd of ['init', 'processes', 'sysv', 'units', 'unitFiles']) {
    it(`the whole probe survives garbage in ${cmd}`, () =>
      assertParserSurvivesGarbage(
        (text) => {
          const f = fixtures[0]!
          const systemd = cmd === 'units' || cmd === 'unitFiles'
          const outputs = {
            ...f.outputs,
            ...(systemd ? {init: {...f.outputs.init!, stdout: 'pid1 systemd\nhas /run/systemd/system\n'}, units: {...f.outputs.units!, exitCode: 0, stdout: unitSample[0]!}, unitFiles: {...f.outputs.unitFiles!, exitCode: 0, stdout: ''}} : {}),
            [cmd]: {...f.outputs[cmd]!, exitCode: 0, stdout: text},
          }
          return servicesProbe.interpret(outputs, contextOf(f)).data ?? {manager: 'none' as const, source: 'none' as const, stateFrom: 'heuristic' as const, services: [], processes: []}
        },
        cmd === 'units' ? unitSample : samples(cmd),
        ServicesSchema,
      ))
  }
})
