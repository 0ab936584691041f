import {spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {IN_BASH5, printLineStarting, printSmallFile, printTinyFile, readSmallFile, readTinyFile} from '../../../inventory/kit/probe-helpers.js'
import {AS_SH} from '../../../src/collect/posix-sh/batch.js'
import {shQuote} from '../../../src/model/shell-quote.js'

/**
 * The helpers that let bash 5 print a file or a line of it without starting a program, and other shells start one:
 * the same bytes and exit statuses either way, as the batch runs a command (bash: a forked subshell made POSIX
 * `sh`, AS_SH; dash: `sh -c`). `cat`, `awk` and `date` are shims first on PATH that note each start, so the test
 * also sees which way ran.
 */
let dir: string
let started: string

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-builtins-'))
  started = path.join(dir, 'started')
  for (const tool of ['cat', 'awk', 'date', 'sed', 'grep']) {
    const shim = path.join(dir, tool)
    writeFileSync(shim, `#!/bin/sh\necho ${tool} >> ${shQuote(started)}\nPATH=/usr/bin:/bin exec ${tool} "$@"\n`)
    chmodSync(shim, 0o755)
  }
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const SHELLS = ['bash', 'dash'] as const

function run(shell: (typeof SHELLS)[number], command: string): {stdout: string; status: number | null; programs: string[]} {
  rmSync(started, {force: true})
  const args = shell === 'bash' ? ['-c', `( ${AS_SH}; eval "$0" ) </dev/null`, command] : ['-c', command]
  const r = spawnSync(shell, args, {encoding: 'utf8', env: {PATH: `${dir}:/usr/bin:/bin`, LC_ALL: 'C'}})
  let programs: string[] = []
  try {
    programs = readFileSync(started, 'utf8').trim().split('\n')
  } catch {
    // nothing started
  }
  return {stdout: r.stdout, status: r.status, programs}
}

function file(name: string, content: string): string {
  const p = path.join(dir, name)
  writeFileSync(p, content)
  return p
}

describe('IN_BASH5', () => {
  it('holds in the batch shell (bash 5 as POSIX sh), not in dash', () => {
    expect(run('bash', `${IN_BASH5} && echo yes || echo no`).stdout).toBe('yes\n')
    expect(run('dash', `${IN_BASH5} && echo yes || echo no`).stdout).toBe('no\n')
  })
})

/** Texts that a file printed by the shell must keep byte for byte. */
const TEXTS: [string, string][] = [
  ['lines', 'one\n  two with  spaces \n\tthree\\n "quoted" $HOME `x` -n -e\\c\n'],
  ['no final newline', 'first\nlast without newline'],
  ['empty', ''],
  ['blank lines at the end', 'a\n\n\n'],
  ['a lone line without newline', 'x'],
  ['carriage returns and a backslash at the end', 'a\r\nb\\\n'],
]

describe.each([
  // small files: bash reads them, other shells start cat (dash's read takes a byte a system call)
  ['printSmallFile', printSmallFile, {bash: [], dash: ['cat']}],
  // tiny files: no program in any shell
  ['printTinyFile', printTinyFile, {bash: [], dash: []}],
] as const)('%s prints what cat prints', (name, print, programs) => {
  for (const shell of SHELLS) {
    for (const [text, content] of TEXTS) {
      it(`${shell}: ${text}`, () => {
        const p = file(`${name}-${text.replace(/ /g, '-')}`, content)
        const r = run(shell, `${print(shQuote(p))}; echo "status $?"`)
        expect(r.stdout).toBe(`${content}status 0\n`)
        expect(r.programs).toEqual(programs[shell])
      })
    }
  }
})

describe('printSmallFile and printTinyFile fail as cat does', () => {
  for (const shell of SHELLS) {
    it(`${shell}: a small file that cannot be opened fails as cat does`, () => {
      const r = run(shell, `${printSmallFile(shQuote(path.join(dir, 'missing')))} 2>/dev/null; echo "status $?"`)
      expect(r.stdout).toBe('status 1\n')
    })
    it(`${shell}: readSmallFile exits 3 for a missing file`, () => {
      expect(run(shell, readSmallFile(path.join(dir, 'missing'))).status).toBe(3)
      expect(run(shell, readSmallFile(file('present', 'x\n'))).stdout).toBe('x\n')
    })
    it(`${shell}: a tiny file that cannot be opened fails as cat does${shell === 'bash' ? '' : ", with cat's message"}`, () => {
      const missing = shQuote(path.join(dir, 'missing'))
      const r = run(shell, `${printTinyFile(missing)} 2>&1; echo "status $?"`)
      if (shell === 'bash') {
        // bash's own redirection fails, as printSmallFile's does: its words, cat's status
        expect(r.stdout).toMatch(/missing: No such file or directory\nstatus 1\n$/)
        expect(r.programs).toEqual([])
      } else {
        expect(r.stdout).toBe(spawnSync('sh', ['-c', `cat ${missing} 2>&1; echo "status $?"`], {encoding: 'utf8'}).stdout)
        expect(r.programs).toEqual(['cat'])
      }
    })
    it(`${shell}: readTinyFile exits 3 for a missing file; /etc/os-release as cat reads it`, () => {
      expect(run(shell, readTinyFile(path.join(dir, 'missing'))).status).toBe(3)
      expect(run(shell, readTinyFile('/etc/os-release')).stdout).toBe(readFileSync('/etc/os-release', 'utf8'))
    })
  }
})

describe('printLineStarting prints the line sed -n s/^PREFIX/REPLACEMENT/p prints', () => {
  const stat = 'cpu  1 2 3\nintr 5 6 7 btime 9\nbtime 1700000000\nprocesses 42\n'
  for (const shell of SHELLS) {
    it(`${shell}: the line, its prefix replaced or kept`, () => {
      const p = file('stat', stat)
      const r = run(shell, `${printLineStarting(shQuote(p), 'btime ', 'boot ')}; echo "status $?"`)
      expect(r.stdout).toBe('boot 1700000000\nstatus 0\n')
      expect(r.programs).toEqual(shell === 'bash' ? [] : ['awk'])
      expect(run(shell, printLineStarting(shQuote(p), 'btime ')).stdout).toBe('btime 1700000000\n')
    })
    it(`${shell}: a last line without newline; no such line exits 1 as grep does`, () => {
      expect(run(shell, printLineStarting(shQuote(file('tail', 'a\nbtime 5')), 'btime ')).stdout).toBe('btime 5\n')
      const none = run(shell, `${printLineStarting(shQuote(file('none', 'a\nb\n')), 'btime ')}; echo "status $?"`)
      expect(none.stdout).toBe('status 1\n')
    })
    it(`${shell}: /proc/stat's btime, as sed reads it`, () => {
      const sed = spawnSync('sed', ['-n', 's/^btime /boot /p', '/proc/stat'], {encoding: 'utf8'}).stdout
      expect(run(shell, printLineStarting('/proc/stat', 'btime ', 'boot ')).stdout).toBe(sed)
    })
  }
  it('takes plain words only: no pattern or quote can reach the shell', () => {
    expect(() => printLineStarting('/proc/stat', "a'; rm -rf /; '")).toThrow(/plain words/)
    expect(() => printLineStarting('/proc/stat', 'btime*')).toThrow(/plain words/)
    expect(() => printLineStarting('/proc/stat', 'btime ', '$(id)')).toThrow(/plain words/)
  })
})
