import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {probes} from '../../../inventory/index.js'
import {commOf, parseProcessTable, pidsOf, processesOf, processTable} from '../../../inventory/kit/process-table.js'
import {fixturePlatforms, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

/** Every captured process table: each probe that reads it records it in its fixture. */
const tables = fixturePlatforms().flatMap((platform) =>
  probes
    .filter((p) => p.shared?.processes === processTable)
    .flatMap((p) => probeFixtures(p.id).filter((f) => f.platform === platform && f.outputs.processes?.command === processTable.command)),
)

/** The table as this machine prints it now, by the shared command itself. */
function readTable(): string {
  const r = spawnSync('sh', ['-c', processTable.command], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}, stdio: ['ignore', 'pipe', 'pipe']})
  expect(r.status, r.stderr).toBe(0)
  return r.stdout
}

describe('the process table on captured output', () => {
  it('is captured for every probe that reads it, on several systems', () => {
    expect(new Set(tables.map((f) => f.platform)).size).toBeGreaterThanOrEqual(2)
    for (const p of probes.filter((x) => x.shared?.processes === processTable)) expect(tables.some((f) => f.probe === p.id), p.id).toBe(true)
  })

  for (const f of tables) {
    it(`${f.platform}/${f.probe}: one process a line, kernel threads as kthreadd's children`, () => {
      const text = stdoutOf(f, 'processes')
      const table = parseProcessTable(text)
      expect(table.length).toBe(text.split('\n').filter(Boolean).length)
      // read independently: the parent pid is the 4th field of a stat line, after the name in parentheses
      const ppid = new Map([...text.matchAll(/^(\d+) \(.*\) \S+ (\d+) /gm)].map((m) => [Number(m[1]), Number(m[2])]))
      for (const p of table) expect(p.kernelThread, `${p.pid} ${p.comm}`).toBe(p.pid === 2 || ppid.get(p.pid) === 2)
      if (f.uid === 0) expect(table.some((p) => p.pid === 1)).toBe(true)
      // a kernel thread is never a daemon
      const kthreadd = table.find((p) => p.pid === 2)
      if (kthreadd) expect(pidsOf(table, kthreadd.comm)).toEqual([])
    })
  }
})

describe('pidsOf', () => {
  it('finds what pidof finds on this machine: a long name cut at 15 characters, zombies left out', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-proctable-'))
    const program = path.join(dir, 'hatang-proctable-daemon')
    copyFileSync('/bin/sleep', program)
    const children: ChildProcess[] = []
    try {
      children.push(spawn(program, ['30'], {stdio: 'ignore'}), spawn(program, ['30'], {stdio: 'ignore'}))
      // a third that leaves a zombie: its child exits, and it (now the program itself) never reaps it
      children.push(spawn('sh', ['-c', '"$0" 0 & exec "$0" 30', program], {stdio: 'ignore'}))
      const live = children.map((c) => c.pid!).sort((a, b) => a - b)
      let table = parseProcessTable(readTable())
      for (let i = 0; i < 50 && !table.some((p) => p.comm === commOf(program) && p.state === 'Z'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        table = parseProcessTable(readTable())
      }
      expect(table.filter((p) => p.comm === 'hatang-proctabl').map((p) => p.state)).toContain('Z')
      const pidof = spawnSync('pidof', [path.basename(program)], {encoding: 'utf8'})
      const expected = pidof.stdout.trim().split(/\s+/).map(Number).sort((a, b) => a - b)
      expect(pidsOf(table, program)).toEqual(expected)
      expect(pidsOf(table, path.basename(program))).toEqual(live)
    } finally {
      for (const c of children) c.kill('SIGKILL')
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('names a program as the kernel does', () => {
    expect(commOf('/usr/lib/systemd/systemd-timesyncd')).toBe('systemd-timesyn')
    expect(commOf('/opt/eset/eea/sbin/startd')).toBe('startd')
  })
})

describe('processesOf', () => {
  it('parses one output once, however many probes read it', () => {
    const f = tables[0]!
    const out = {...f.outputs.processes!}
    expect(processesOf(out)).toBe(processesOf(out))
    expect(processesOf(out)).toEqual(parseProcessTable(out.stdout))
    expect(Object.isFrozen(processesOf(out))).toBe(true)
  })
})

describe('parseProcessTable', () => {
  it('reads a name with spaces and parentheses, and the state', () => {
    expect(parseProcessTable('42 (tmux: a) b) S 1 42 42 0 -1 4194560 0 0\n2 (kthreadd) S 0 0 0 0 -1 2129984 0\n')).toEqual([
      {pid: 42, comm: 'tmux: a) b', state: 'S', kernelThread: false},
      {pid: 2, comm: 'kthreadd', state: 'S', kernelThread: true},
    ])
  })

  it('survives garbage', () => assertParserSurvivesGarbage(parseProcessTable, tables.map((f) => f.outputs.processes!.stdout)))
})
