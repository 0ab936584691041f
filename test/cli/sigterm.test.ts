import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {SweepReport} from '../../src/report/sweep-summary.js'
import type {RunRecord} from '../../src/store/store.js'
import {BIN, hatang} from '../support/cli.js'
import {hangingCommands, SshLab, type Sshd} from '../support/sshd.js'

/**
 * SIGTERM (systemctl stop, a cron wrapper's timeout) is a Ctrl-C no terminal sent: the hosts under way finish,
 * no other starts, what was collected is stored and reported, and the command exits 130. Real processes, real
 * signals, real sshd on loopback.
 */
let work: string
let lab: SshLab
let web1: Sshd
let slow: Sshd
let web2: Sshd

function hostsYaml(file: string): string {
  const lines = [...lab.hostsDefaults(), '  address: 127.0.0.1', '  connectTimeout: 5', '  commandTimeout: 3', 'hosts:']
  for (const [name, s] of Object.entries({web1, slow, web2})) lines.push(`  ${name}:`, `    port: ${s.port}`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/** Starts the CLI, sends SIGTERM once `ready(pid)` holds, and resolves its exit code and output. */
async function terminated(args: string[], ready: (pid: number) => boolean): Promise<{status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}> {
  const child = spawn(process.execPath, [BIN, ...args], {env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])))
  const deadline = Date.now() + 60_000
  while (!ready(child.pid!)) {
    if (Date.now() > deadline) throw new Error(`never ready: ${stderr}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill('SIGTERM')
  const [status, signal] = await exited
  return {status, signal, stdout, stderr}
}

const logHas = (file: string, text: string) => () => existsSync(file) && readFileSync(file, 'utf8').includes(text)
/**
 * The process has started a child: for a local audit, the collection's shell, which starts only once the CLI listens
 * for Ctrl-C and SIGTERM (a signal between the log's start line and that moment would find no listener yet).
 */
const hasChild = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() !== ''
  } catch {
    return false
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sigterm-'))
  lab = new SshLab()
  ;[web1, slow, web2] = await Promise.all([
    lab.start('web1'),
    lab.start('slow', {path: `${hangingCommands(path.join(lab.dir, 'hang-bin'), ['ss', 'ip'])}:/usr/bin:/bin:/usr/sbin:/sbin`}),
    lab.start('web2'),
  ])
  for (const s of [web1, slow, web2]) lab.trust(s)
}, 60_000)

afterAll(async () => {
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('SIGTERM', () => {
  it('audit of a fleet: the host under way finishes, no other starts; the run is stored and reported; exit 130', async () => {
    const log = path.join(work, 'fleet.log')
    const store = path.join(work, 'fleet.db')
    const reports = path.join(work, 'reports')
    const args = ['audit', hostsYaml(path.join(work, 'hosts.yaml')), '--quiet', '--concurrency', '1', '--ssh-config', 'none', '--store', store, '-o', reports, '--log', log]
    // web1 is stored and slow under way (its probes hang until the command timeout)
    const r = await terminated(args, logHas(log, 'host web1:'))
    expect([r.status, r.signal], r.stderr).toEqual([130, null])
    expect(r.stderr).toContain('interrupted (SIGTERM): finishing the hosts under way, starting no more (SIGTERM again to quit now)')
    // slow's probes ran into their timeout: collected in part
    expect(r.stdout).toMatch(/^hatang audit: 2 of 3 hosts collected in [\d.]+ s \(interrupted\)$/m)
    const lines = readFileSync(log, 'utf8')
    expect(lines).toMatch(/host web1: ok\n.*host slow: partial.*\n.*host web2: interrupted — the sweep was interrupted before this host started\n.*interrupted \(Ctrl-C or SIGTERM\)/)
    expect(lines).toMatch(/stored as run 1\n(.*\n)*.*exit 130\n$/)
    expect(readdirSync(reports).filter((f) => f.endsWith('.html'))).toHaveLength(1)
    const runs = (JSON.parse(hatang(['runs', 'list', '--json', '--store', store]).stdout) as {runs: RunRecord[]}).runs
    expect(runs.map((x) => [x.id, x.state, x.hosts.total, x.hosts.collected])).toEqual([[1, 'complete', 3, 2]])
  }, 120_000)

  it('audit of this machine: the collection finishes, is stored and reported; exit 130', async () => {
    const log = path.join(work, 'local.log')
    const store = path.join(work, 'local.db')
    const r = await terminated(['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', store, '-o', path.join(work, 'local-reports'), '--log', log], (pid) => logHas(log, 'start: this machine')() && hasChild(pid))
    expect([r.status, r.signal], r.stderr).toEqual([130, null])
    expect(r.stderr).toContain('interrupted (SIGTERM): finishing this machine, then storing and reporting it')
    expect(readFileSync(log, 'utf8')).toMatch(/host .+: ok\n.*interrupted \(Ctrl-C or SIGTERM\)(.*\n)*.*stored as run 1\n(.*\n)*.*exit 130\n$/)
    expect(readdirSync(path.join(work, 'local-reports'))).toHaveLength(1)
  }, 120_000)

  it('sweep (which runs in a child process): the same, sweep.json says interrupted; exit 130', async () => {
    const out = path.join(work, 'sweep')
    const args = ['sweep', hostsYaml(path.join(work, 'hosts.yaml')), '--quiet', '--concurrency', '1', '--ssh-config', 'none', '-o', out]
    const r = await terminated(args, () => existsSync(path.join(out, 'web1.json')))
    expect([r.status, r.signal], r.stderr).toEqual([130, null])
    const report = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')) as SweepReport
    expect(report.interrupted).toBe(true)
    expect(report.hosts.map((h) => [h.name, h.status])).toEqual([
      ['web1', 'ok'],
      ['slow', 'partial'],
      ['web2', 'interrupted'],
    ])
  }, 120_000)
})
