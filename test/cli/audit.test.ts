import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunDiff} from '../../src/engine/diff.js'
import type {AuditOutcome} from '../../src/report/audit-summary.js'
import type {RunRecord} from '../../src/store/store.js'
import {BIN, hatang} from '../support/cli.js'
import {freePort, hangingCommands, SshLab, type Sshd} from '../support/sshd.js'

let work: string
let lab: SshLab
let web1: Sshd
let web2: Sshd
let slow: Sshd
/** web2's own dpkg database (sshd SetEnv DPKG_ADMINDIR): a host whose packages change without touching this machine's. */
let web2Root: string

/** A real package, built with dpkg-deb: no maintainer scripts, one file. */
function buildDeb(name: string, version: string): string {
  const dir = path.join(work, `pkg-${name}`)
  mkdirSync(path.join(dir, 'DEBIAN'), {recursive: true})
  mkdirSync(path.join(dir, 'usr/share/doc', name), {recursive: true})
  writeFileSync(path.join(dir, 'DEBIAN/control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: hatang tests <tests@hatang.invalid>\nDescription: hatang end-to-end test package\n`)
  writeFileSync(path.join(dir, 'usr/share/doc', name, 'README'), `${name}\n`)
  const deb = path.join(work, `${name}.deb`)
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '--build', dir, deb], {encoding: 'utf8'})
  expect(r.status, r.stderr).toBe(0)
  return deb
}

function dpkg(...args: string[]): void {
  const r = spawnSync('dpkg', [`--root=${web2Root}`, ...args], {encoding: 'utf8'})
  expect(r.status, r.stderr.split('\n').filter((l) => !l.includes('files list file')).join('\n')).toBe(0)
}

function hostsYaml(names: Record<string, {port: number}>, file: string): string {
  const lines = [...lab.hostsDefaults(), '  address: 127.0.0.1', '  connectTimeout: 5', '  commandTimeout: 4', 'groups:', '  web:', '    hosts:']
  for (const [name, s] of Object.entries(names)) lines.push(`      ${name}:`, `        port: ${s.port}`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-audit-'))
  chmodSync(work, 0o755) // the test user's sessions read web2's dpkg database in here
  web2Root = path.join(work, 'web2-root')
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(path.join(web2Root, 'var/lib/dpkg', d), {recursive: true})
  writeFileSync(path.join(web2Root, 'var/lib/dpkg/status'), readFileSync('/var/lib/dpkg/status'))
  writeFileSync(path.join(web2Root, 'var/lib/dpkg/available'), '')
  dpkg('-i', buildDeb('hatang-e2e-alpha', '1.0'))
  lab = new SshLab()
  ;[web1, web2, slow] = await Promise.all([
    lab.start('web1'),
    lab.start('web2', {extraConfig: [`SetEnv DPKG_ADMINDIR=${path.join(web2Root, 'var/lib/dpkg')}`]}),
    lab.start('slow', {path: `${hangingCommands(path.join(lab.dir, 'hang-bin'), ['ss', 'ip'])}:/usr/bin:/bin:/usr/sbin:/sbin`}),
  ])
  for (const s of [web1, web2, slow]) lab.trust(s)
}, 60_000)

afterAll(async () => {
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('hatang audit on this machine', () => {
  it('needs no configuration: collects, checks, stores, and writes hatang-report-YYYYMMDD-HHMM.html', () => {
    const cwd = path.join(work, 'local')
    mkdirSync(cwd)
    const env = {XDG_DATA_HOME: path.join(work, 'xdg')}
    const r = hatang(['audit', '--no-native', '--quiet', '--fail-on', 'none'], {cwd, env})
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^hatang audit: 1 of 1 host collected in [\d.]+ s$/m)
    expect(r.stdout).toMatch(/^stored as run 1$/m)
    const reports = readdirSync(cwd).filter((f) => /^hatang-report-\d{8}-\d{4}\.html$/.test(f))
    expect(reports).toHaveLength(1)
    expect(readFileSync(path.join(cwd, reports[0]!), 'utf8')).toContain(os.hostname())
    expect(existsSync(path.join(work, 'xdg/hatang/hatang.db'))).toBe(true)
    const {runs} = JSON.parse(hatang(['runs', 'list', '--json'], {env}).stdout) as {runs: RunRecord[]}
    expect(runs.map((x) => [x.id, x.state, x.source])).toEqual([[1, 'complete', 'audit']])
    // exit 1 when a finding is at or above --fail-on (this machine has findings at 'info' or above)
    expect(hatang(['audit', '--no-native', '--quiet', '--fail-on', 'info', '--json'], {cwd, env}).status).toBe(1)
  })

  it('exits 2 on a configuration error, having written nothing but its --log line', () => {
    const cwd = path.join(work, 'bad')
    mkdirSync(cwd)
    writeFileSync(path.join(cwd, 'waivers.yaml'), 'waivers:\n  - check: ssh.root-login\n    hosts: [x]\n')
    const r = hatang(['audit', '--no-native', '--waivers', 'waivers.yaml', '--store', 'store.db', '--log', 'audit.log'], {cwd})
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/waivers\.yaml:2:5 \/waivers\/0 must have required property/)
    expect(readdirSync(cwd).sort()).toEqual(['audit.log', 'waivers.yaml'])
    // a cron job's only trace: the error and the exit code, in the log
    expect(readFileSync(path.join(cwd, 'audit.log'), 'utf8')).toMatch(/^\S+ \[\d+\] error: waivers\.yaml:2:5 \/waivers\/0 must have required property .*\n(.*\n)*\S+ \[\d+\] exit 2\n$/)
    expect(hatang(['audit', 'no-such-hosts.yaml'], {cwd}).status).toBe(2)
  })

  it('does not overlap another audit (exit 4, naming it), and takes over a lock whose process is gone', async () => {
    const cwd = path.join(work, 'lock')
    mkdirSync(cwd)
    const holder = spawn('sleep', ['60'])
    writeFileSync(path.join(cwd, 'store.db.lock'), JSON.stringify({pid: holder.pid, host: os.hostname(), startedAt: '2026-11-24T02:00:00.000Z', command: 'hatang audit'}))
    const r = hatang(['audit', '--no-native', '--quiet', '--store', 'store.db', '--fail-on', 'none', '--log', 'audit.log'], {cwd})
    expect(r.status).toBe(4)
    expect(r.stderr).toContain(`another hatang audit is running (pid ${holder.pid} on ${os.hostname()}, since 2026-11-24T02:00:00.000Z)`)
    // the refusal, naming the holder, and the exit code are in the log
    const log = readFileSync(path.join(cwd, 'audit.log'), 'utf8').split('\n')
    expect(log[0]).toMatch(new RegExp(`\\] error: another hatang audit is running \\(pid ${holder.pid} on ${os.hostname()}, since 2026-11-24T02:00:00.000Z\\); lock: .*store\\.db\\.lock — wait for it to finish`))
    expect(log.slice(1)).toEqual([expect.stringMatching(/\] exit 4$/), ''])
    holder.kill('SIGKILL')
    await new Promise((resolve) => holder.once('exit', resolve))
    const again = hatang(['audit', '--no-native', '--quiet', '--store', 'store.db', '--fail-on', 'none'], {cwd})
    expect(again.status, again.stderr).toBe(0)
    expect(existsSync(path.join(cwd, 'store.db.lock'))).toBe(false)
  })
})

describe('hatang audit of a loopback fleet', () => {
  const store = () => path.join(work, 'fleet.db')
  const audit = (hosts: string, extra: string[] = [], failOn = 'none') =>
    hatang(['audit', hosts, '--quiet', '--store', store(), '-o', path.join(work, 'reports'), '--log', path.join(work, 'fleet.log'), '--fail-on', failOn, '--ssh-config', 'none', ...extra], {timeoutMs: 120_000})

  it('shows exactly what changed between two audits: one package installed and another removed on one host', () => {
    const hosts = hostsYaml({web1, web2}, path.join(work, 'fleet.yaml'))
    const first = audit(hosts)
    expect(first.status, first.stderr + first.stdout).toBe(0)
    dpkg('-r', 'hatang-e2e-alpha')
    dpkg('-i', buildDeb('hatang-e2e-beta', '2.1-1'))
    const second = audit(hosts, ['--json'])
    expect(second.status, second.stderr).toBe(0)
    const outcome = JSON.parse(second.stdout) as AuditOutcome
    expect(outcome).toMatchObject({hosts: {total: 2, collected: 2}, run: '2', exitCode: 0})

    const d = hatang(['diff', '--json', '--store', store()])
    expect(d.status, d.stderr).toBe(0)
    const diff = JSON.parse(d.stdout) as RunDiff
    expect(diff.from.id).toBe(1)
    expect(diff.to.id).toBe(2)
    expect(diff.hosts).toEqual({appeared: [], disappeared: [], compared: 2})
    expect(diff.changed.map((h) => h.host)).toEqual(['web2'])
    const web2Diff = diff.changed[0]!
    expect(web2Diff.hardware).toEqual([])
    expect(web2Diff.os).toEqual([])
    expect(web2Diff.packages).toEqual({
      added: [{name: 'hatang-e2e-beta', architecture: 'all', manager: 'dpkg', version: '2.1-1'}],
      removed: [{name: 'hatang-e2e-alpha', architecture: 'all', manager: 'dpkg', version: '1.0'}],
      upgraded: [],
      downgraded: [],
    })
    expect(diff.findings).toEqual({new: [], fixed: []})
    const text = hatang(['diff', '--store', store()]).stdout
    expect(text).toContain('hatang-e2e-beta')
    expect(text).toContain('hatang-e2e-alpha')
    expect(readFileSync(path.join(work, 'fleet.log'), 'utf8')).toMatch(/host web2: ok\n(.*\n)*.*stored as run 2/)

    // the second report shows the same changes, and the first report is still there beside it
    const reports = readdirSync(path.join(work, 'reports')).filter((f) => f.endsWith('.html'))
    expect(reports).toHaveLength(2)
    const html = readFileSync(outcome.files.find((f) => f.endsWith('.html'))!, 'utf8')
    const at = html.indexOf('<section id="changes">')
    expect(at).toBeGreaterThan(0)
    const changes = html.slice(at, html.indexOf('</section>', at))
    expect(changes).toContain('run 1')
    expect(changes).toContain('hatang-e2e-beta')
    expect(changes).toContain('hatang-e2e-alpha')
    expect(changes).toContain('web2')
    expect(changes).not.toContain('web1')
    // and a trend of the two runs
    expect(html).toContain(`class="trend-line"`)
  }, 240_000)

  it('survives kill -9 mid-sweep: the store stays readable, earlier runs intact, and the next audit runs normally', async () => {
    const hosts = hostsYaml({web1, slow}, path.join(work, 'slow.yaml'))
    const log = path.join(work, 'killed.log')
    const child = spawn(process.execPath, [BIN, 'audit', hosts, '--quiet', '--store', store(), '-o', path.join(work, 'reports'), '--log', log, '--ssh-config', 'none', '--concurrency', '1'], {
      detached: true,
      stdio: 'ignore',
      env: {...process.env, NO_COLOR: '1'},
    })
    // wait until web1 is stored, while the slow host's probes hang
    const deadline = Date.now() + 60_000
    while (!(existsSync(log) && readFileSync(log, 'utf8').includes('host web1:'))) {
      if (Date.now() > deadline) throw new Error('the audit never stored web1')
      await new Promise((r) => setTimeout(r, 50))
    }
    process.kill(-child.pid!, 'SIGKILL') // the whole process group, as kill -9 of a cron job's group
    await new Promise((resolve) => child.once('exit', resolve))
    expect(readFileSync(log, 'utf8')).not.toMatch(/stored as run/)

    const runs = hatang(['runs', 'list', '--json', '--store', store()])
    expect(runs.status, runs.stderr).toBe(0)
    expect((JSON.parse(runs.stdout) as {runs: RunRecord[]}).runs.map((r) => [r.id, r.state])).toEqual([
      [2, 'complete'],
      [1, 'complete'],
    ])
    const all = (JSON.parse(hatang(['runs', 'list', '--all', '--json', '--store', store()]).stdout) as {runs: RunRecord[]}).runs
    expect(all.find((r) => r.id === 3)).toMatchObject({state: 'interrupted'})
    expect(hatang(['diff', '1', '2', '--json', '--store', store()]).status).toBe(0)

    const next = audit(hostsYaml({web1, web2}, path.join(work, 'fleet.yaml')), ['--json'])
    expect(next.status, next.stderr).toBe(0)
    expect((JSON.parse(next.stdout) as AuditOutcome).run).toBe('4')
  }, 240_000)

  it('exits 3 when some hosts were not collected (whatever the findings), and says which', async () => {
    const hosts = hostsYaml({web1, dead: {port: await freePort()}}, path.join(work, 'dead.yaml'))
    const r = audit(hosts, [], 'info')
    expect(r.status, r.stderr).toBe(3)
    expect(r.stdout).toMatch(/^hatang audit: 1 of 2 hosts collected/m)
    expect(r.stdout).toMatch(/^\s+unreachable\s+dead — /m)
  }, 240_000)
})
