import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {sshdProbe} from '../../../inventory/sshd.js'
import {DAEMON_COMMAND, EFFECTIVE_COMMAND, parseSshdDaemon, readDaemonArguments, splitOverride, SSHD_FUNCTIONS} from '../../../inventory/sshd-daemon.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {SshdSchema} from '../../../src/model/sections/sshd.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, FIXTURES, loadFixture, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'
import {alonePart} from '../../support/parts.js'

/** A real listener's /proc/PID/cmdline, recorded by scripts/capture-sshd.sh (its .txt says how). */
const CAPTURED = path.join(FIXTURES, 'sshd-cmdline', 'listener-o-args.cmdline')
const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sshd-daemon-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

/** The shells the functions must work in: dash (sh), bash, and busybox ash where it is installed. */
// bash 5 reads the command line itself (as in a batch's commands, in POSIX mode too); the others start tr
const SHELLS: string[][] = [['sh', '-c'], ['bash', '-c'], ['bash', '--posix', '-c'], ...(spawnSync('busybox', ['true']).status === 0 ? [['busybox', 'sh', '-c']] : [])]

/** Runs `_sshd_args FILE` in a real shell: its exit status and the lines it printed (argv[0] first). */
function sshdArgs(shell: string[], file: string): {rc: number | null; lines: string[]} {
  // LC_ALL=C as in every batch: bytes, not characters
  // stdin not a socket (Node's default pipe): bash would take itself for a remote shell and read ~/.bashrc
  const r = spawnSync(shell[0]!, [...shell.slice(1), `${SSHD_FUNCTIONS}\n_sshd_args "$1"`, 'sh', file], {encoding: 'utf8', cwd: work, env: {...process.env, LC_ALL: 'C'}, stdio: ['ignore', 'pipe', 'pipe']})
  return {rc: r.status, lines: r.stdout.split('\n').slice(0, -1)}
}

/**
 * One of the probe's commands as a part of its shell (a function, called; it ends with `return`), the daemon it finds
 * being the test's: `_sshd_find` gives the pid `dir` (a folder under /proc, relative: a test file's) of a root sshd.
 */
function asPart(command: string, dir: string): string {
  const found = command.replace(SSHD_FUNCTIONS, `${SSHD_FUNCTIONS}\n_sshd_find() { _P=${dir}; _S=proc; _U=0; _L=; }`)
  expect(found).not.toBe(command)
  return alonePart(found)
}

let n = 0
function cmdlineFile(bytes: string | Buffer): string {
  const dir = path.join(work, `proc-${++n}`)
  mkdirSync(dir)
  writeFileSync(path.join(dir, 'cmdline'), bytes)
  return path.join(dir, 'cmdline')
}

const CAPTURED_ARGS = (dir: string) => [
  '/usr/sbin/sshd',
  '-f',
  `${dir}/sshd_config`,
  '-o',
  'MaxAuthTries=2',
  '-o',
  'X11Forwarding=yes',
  '-o',
  'ClientAliveInterval 77',
  '-o',
  'Banner "/tmp/no such banner"',
  '-o',
  'ListenAddress=127.0.0.2',
]

describe('the daemon’s command line, as the host’s shell reads it', () => {
  const captured = readFileSync(CAPTURED, 'latin1')
  const dir = /-f (\S+)\/sshd_config/.exec(captured)![1]!

  it('the captured listener’s title holds its arguments joined by blanks', () => {
    expect(captured).toMatch(/^sshd: \/usr\/sbin\/sshd -f \S+ -o MaxAuthTries=2 .* \[listener\] \d+ of \d+-\d+ startups\0$/)
  })

  for (const shell of SHELLS) {
    it(`${shell.slice(0, -1).join(' ')}: recovers each -f/-o argument of the captured title, -o "K V" and -oK=V included`, () => {
      expect(sshdArgs(shell, CAPTURED)).toEqual({rc: 0, lines: CAPTURED_ARGS(dir)})
    })

    it(`${shell.slice(0, -1).join(' ')}: reads a command line that was not rewritten argument by argument, and keeps only configuration options`, () => {
      const f = cmdlineFile(['/usr/sbin/sshd', '-De', '-E', '/var/log/sshd.log', '-p2222', '-f/etc/ssh/other', '-o', 'Banner "/x y"', '-4', ''].join('\0'))
      expect(sshdArgs(shell, f)).toEqual({rc: 0, lines: ['/usr/sbin/sshd', '-p', '2222', '-f', '/etc/ssh/other', '-o', 'Banner "/x y"', '-4']})
    })

    it(`${shell.slice(0, -1).join(' ')}: hostile values stay data: nothing runs, nothing expands`, () => {
      const marker = path.join(work, `pwned-${shell.slice(0, -1).join('-')}`)
      const values = [`Banner $(touch ${marker})`, `Banner \`touch ${marker}\``, `Banner ;touch ${marker}`, `Banner '"*"'`, 'Banner /*', 'Banner $HOME ${PATH}']
      const exact = cmdlineFile(['/usr/sbin/sshd', ...values.flatMap((v) => ['-o', v]), ''].join('\0'))
      expect(sshdArgs(shell, exact)).toEqual({rc: 0, lines: ['/usr/sbin/sshd', ...values.flatMap((v) => ['-o', v])]})
      const title = cmdlineFile(`sshd: /usr/sbin/sshd ${values.map((v) => `-o ${v}`).join(' ')} [listener] 0 of 10-100 startups\0`)
      expect(sshdArgs(shell, title)).toEqual({rc: 0, lines: ['/usr/sbin/sshd', ...values.flatMap((v) => ['-o', v.replace(/ +/g, ' ')])]})
      expect(existsSync(marker)).toBe(false)
    })

    it(`${shell.slice(0, -1).join(' ')}: refuses newlines, control and non-ASCII bytes, and a title without the arguments`, () => {
      expect(sshdArgs(shell, cmdlineFile('/usr/sbin/sshd\0-o\0Banner /x\n-f\0/tmp/evil\0')).rc).toBe(2)
      expect(sshdArgs(shell, cmdlineFile('/usr/sbin/sshd\0-o\0Banner \x1b[2J\0')).rc).toBe(2)
      expect(sshdArgs(shell, cmdlineFile('/usr/sbin/sshd\0-o\0Banner /tmp/bản\0')).rc).toBe(2)
      expect(sshdArgs(shell, cmdlineFile('sshd: hatang-test [priv]\0')).rc).toBe(3)
      expect(sshdArgs(shell, cmdlineFile('')).rc).toBe(1)
    })
  }

  it('passes the arguments on to sshd -T one for one, unevaluated', () => {
    // the probe's own command, with the daemon's pid pointing at a test file and a stand-in sshd printing its argv
    const bin = path.join(work, 'bin')
    mkdirSync(bin)
    writeFileSync(path.join(bin, 'sshd'), '#!/bin/sh\nprintf "<%s>\\n" "$@"\n')
    chmodSync(path.join(bin, 'sshd'), 0o755)
    const marker = path.join(work, 'pwned-effective')
    const f = cmdlineFile(['/usr/sbin/sshd', '-D', '-o', `Banner $(touch ${marker}) *`, '-f', '/etc/ssh/x y', ''].join('\0'))
    const procDir = path.relative('/proc', path.dirname(f))
    const r = spawnSync('sh', ['-c', asPart(EFFECTIVE_COMMAND, procDir)], {encoding: 'utf8', cwd: work, env: {...process.env, LC_ALL: 'C', PATH: `${bin}:${process.env.PATH}`}})
    expect(r.stdout).toBe(['<-T>', '<-o>', `<Banner $(touch ${marker}) *>`, '<-f>', '</etc/ssh/x y>', ''].join('\n'))
    expect(existsSync(marker)).toBe(false)
  })
})

describe('the daemon command, run by a real shell on a command line', () => {
  const run = (file: string) => {
    // the pid printed is that path: a number stands in for it
    return spawnSync('sh', ['-c', asPart(DAEMON_COMMAND, path.relative('/proc', path.dirname(file)))], {encoding: 'utf8', cwd: work, env: {...process.env, LC_ALL: 'C'}, stdio: ['ignore', 'pipe', 'pipe']}).stdout.replace(/^pid .*$/m, 'pid 4242')
  }

  it('prints the captured listener’s arguments, which parse back to its -f and -o', () => {
    const d = parseSshdDaemon(run(cmdlineFile(readFileSync(CAPTURED))))
    expect(d).toMatchObject({found: true, source: 'proc', uid: 0, executable: '/usr/sbin/sshd'})
    const dir = /-f (\S+)\/sshd_config/.exec(readFileSync(CAPTURED, 'latin1'))![1]!
    expect(d.found && d.arguments).toEqual(CAPTURED_ARGS(dir).slice(1))
  })

  it('says why a command line with a control byte is not used, and prints none of it', () => {
    const out = run(cmdlineFile('/usr/sbin/sshd\0-o\0Banner \x1b]0;owned\x07\0'))
    expect(out).toMatch(/^unused control$/m)
    expect(out).not.toMatch(/owned|\x1b/)
  })
})

describe('parsers of the daemon', () => {
  it('reads the configuration arguments: last -f wins, -o split as sshd splits a line, -p/-h/-4 as their keywords', () => {
    expect(readDaemonArguments(['-f', '/a', '-o', 'MaxAuthTries=2', '-p', '2222', '-f', '/b', '-o', 'ClientAliveInterval 77', '-h', '/k', '-6', '-o', 'AllowUsers = a b'])).toEqual({
      configFile: '/b',
      ports: ['2222'],
      overrides: [
        {keyword: 'maxauthtries', value: '2'},
        {keyword: 'clientaliveinterval', value: '77'},
        {keyword: 'hostkey', value: '/k'},
        {keyword: 'addressfamily', value: 'inet6'},
        {keyword: 'allowusers', value: 'a b'},
      ],
    })
    expect(splitOverride('=x')).toBeUndefined()
  })

  it('parses what the daemon command printed, and refuses output without a pid', () => {
    const f = loadFixture('debian-12-sshd-daemon', 'sshd')
    const d = parseSshdDaemon(stdoutOf(f, 'daemon'))
    expect(d).toMatchObject({found: true, source: 'proc', uid: 0, executable: '/usr/sbin/sshd'})
    expect(parseSshdDaemon('none\nlisteners 3\n')).toEqual({found: false, listeners: 3})
    expect(() => parseSshdDaemon('source proc\n')).toThrow(ParseError)
  })

  it('parseSshdDaemon survives garbage', () =>
    assertParserSurvivesGarbage(parseSshdDaemon, ['debian-12-sshd-daemon', 'debian-12-root'].map((p) => stdoutOf(loadFixture(p, 'sshd'), 'daemon'))))
})

describe('the sshd probe with a daemon started with -o overrides (captured)', () => {
  const root = loadFixture('debian-12-sshd-daemon', 'sshd')
  const user = loadFixture('debian-12-sshd-daemon-user', 'sshd')
  const configFile = /^arg (\/.*\/sshd_config)$/m.exec(stdoutOf(root, 'daemon'))![1]!

  it('as root: sshd -T with the daemon’s -f and -o gives the effective values, and the section names the daemon', () => {
    const r = sshdProbe.interpret(root.outputs, contextOf(root))
    expect(r.status, r.reason).toBe('ok')
    expect(problemsOf(SshdSchema, r.data)).toEqual([])
    const d = r.data!
    expect(d.source).toBe('sshd -T')
    expect(d.running).toBe(true)
    expect(d.daemon).toMatchObject({source: 'proc', uid: 0, executable: '/usr/sbin/sshd', configFile})
    expect(d.daemon!.overrides.map((o) => o.keyword)).toEqual(['maxauthtries', 'x11forwarding', 'clientaliveinterval', 'banner', 'listenaddress'])
    // the daemon's own file says MaxAuthTries 4; the command line's 2 wins
    expect(stdoutOf(root, 'config')).toMatch(/^MaxAuthTries 4$/m)
    expect(d.maxAuthTries).toBe(2)
    expect(d.x11Forwarding).toBe(true)
    expect(d.clientAliveInterval).toBe(77)
    expect(d.settings!.banner).toEqual(['/tmp/no such banner'])
    expect(d.configFiles).toEqual([configFile])
  })

  it('as nobody: the daemon’s file with its -o on top agrees with what sshd -T said as root', () => {
    const r = sshdProbe.interpret(user.outputs, contextOf(user))
    const asRoot = sshdProbe.interpret(root.outputs, contextOf(root)).data!
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^needs root: effective settings \(sshd -T\)/)
    const d = r.data!
    expect(d.source).toBe('config')
    expect(d.configFiles).toEqual([configFile])
    for (const k of ['maxAuthTries', 'x11Forwarding', 'clientAliveInterval', 'passwordAuthentication', 'ports'] as const) expect(d[k], k).toEqual(asRoot[k])
    // cumulative: the command line's address first, then the file's (sshd -T adds the port to each)
    expect(d.listenAddresses).toEqual(asRoot.listenAddresses!.map((a) => a.replace(/:\d+$/, '')))
    expect(d.daemon).toEqual({...asRoot.daemon, executable: '/usr/sbin/sshd'})
  })

  it('with no daemon running, says so and reads /etc/ssh/sshd_config as before', () => {
    const f = loadFixture('debian-12-root', 'sshd')
    const r = sshdProbe.interpret(f.outputs, contextOf(f))
    expect(r.data!.running).toBe(false)
    expect(r.data!.daemon).toBeUndefined()
    expect(r.data!.configFiles![0]).toBe('/etc/ssh/sshd_config')
  })

  it('a daemon whose command line is not used is named, and the section says its settings are the files’', () => {
    const outputs = {...root.outputs, daemon: {...root.outputs.daemon!, stdout: 'pid 42\nsource ssh-session\nuid 1000\nunused uid\n'}}
    const r = sshdProbe.interpret(outputs, contextOf(root))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/sshd \(pid 42\): its command line was not used: it does not run as root; settings are the files' alone/)
    expect(r.data!.daemon).toEqual({pid: 42, source: 'ssh-session', uid: 1000, overrides: [], argumentsUnused: 'its command line was not used: it does not run as root'})
  })
})

describe('the sshd probe when the daemon cannot be told', () => {
  it('several root listeners and no session or service to say which: none is chosen, and the section says so', () => {
    const f = loadFixture('debian-12-root', 'sshd')
    const outputs = {...f.outputs, daemon: {...f.outputs.daemon!, stdout: 'none\nlisteners 3\n'}}
    const r = sshdProbe.interpret(outputs, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toBe("3 sshd listeners run and none was chosen: settings are /etc/ssh/sshd_config's")
    expect(r.data!.running).toBe(true)
    expect(r.data!.daemon).toBeUndefined()
  })
})
