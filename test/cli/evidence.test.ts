import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {HostResults} from '../../src/engine/checks/run-checks.js'
import type {Results} from '../../src/model/results.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {readCsv} from '../unit/report/read-csv.js'
import {hatang} from '../support/cli.js'
import {SshLab, type Sshd} from '../support/sshd.js'
import {collectedNow, withSection} from '../support/snapshots.js'

/** What the mute host runs for every session: nothing, for ten minutes (killed when the tests end). */
const MUTE = 'sleep 597'

let work: string
let lab: SshLab
let mute: Sshd
/** A real snapshot of this machine, collected by the tests. */
let real: Snapshot

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-evidence-'))
  lab = new SshLab()
  // an sshd that lets the client in and then answers nothing to any command
  mute = await lab.start('mute', {extraConfig: [`ForceCommand ${MUTE}`]})
  lab.trust(mute)
  const r = hatang(['collect', '--json', '--quiet', '--no-native'])
  expect(r.status, r.stderr).toBe(0)
  real = JSON.parse(r.stdout) as Snapshot
}, 60_000)

afterAll(async () => {
  await lab?.cleanup()
  spawnSync('pkill', ['-KILL', '-x', '-f', MUTE])
  rmSync(work, {recursive: true, force: true})
})

function file(name: string, snapshot: Snapshot): string {
  const f = path.join(work, name)
  writeFileSync(f, JSON.stringify(snapshot))
  return f
}

describe('a host that answers nothing', () => {
  it('is never collected, never compliant: a non-zero exit and "insufficient data" in every format', () => {
    const hosts = path.join(work, 'hosts.yaml')
    writeFileSync(hosts, [...lab.hostsDefaults(), '  address: 127.0.0.1', '  commandTimeout: 1', 'hosts:', '  mute:', `    port: ${mute.port}`, ''].join('\n'))
    const out = path.join(work, 'out')
    const store = path.join(work, 'store.db')
    const r = hatang(['audit', hosts, '--quiet', '--store', store, '-o', out, '--format', 'html,json,csv,md,junit'], {timeoutMs: 120_000})
    // not collected: the audit is incomplete (3), whatever a score would say
    expect(r.status, r.stderr).toBe(3)
    expect(r.stdout).toMatch(/^hatang audit: 0 of 1 host collected/m)
    expect(r.stdout).toMatch(/^ {2}timeout +mute — no section could be read/m)
    expect(r.stdout).toContain('1 host with insufficient data')
    expect(r.stdout).not.toMatch(/score 100/)

    const written = readdirSync(out)
    const read = (suffix: string) => readFileSync(path.join(out, written.find((f) => f.endsWith(suffix))!), 'utf8')
    const results = JSON.parse(read('.json')) as Results
    expect(results.hosts[0]).toMatchObject({name: 'mute', status: 'timeout', stale: true, insufficient: 'not collected (timeout)', score: {score: null, coverage: null}})
    expect(results.dataQuality.insufficient).toBe(1)
    expect(Object.values(results.hosts[0]!.sections).every((s) => s.status === 'timeout')).toBe(true)
    const csv = readCsv(read('-hosts.csv'))
    expect(csv[0]).toMatchObject({host: 'mute', status: 'timeout', insufficient_data: 'not collected (timeout)', stale: 'yes', score: ''})
    // Markdown escapes its markup characters: "(" is written "\("
    expect(read('.md')).toMatch(/^- mute: Insufficient data — not collected \\\(timeout\\\)$/m)
    expect(read('-junit.xml')).toMatch(/<testsuite name="mute" tests="1" failures="0" errors="1"[\s\S]*<error type="not-collected" message="timeout: no section could be read[^"]*">insufficient data: not collected \(timeout\)<\/error>/)
    const html = read('.html')
    // the reason in the report's language; the status, a value, as code
    expect(html).toMatch(/<td>mute<\/td><td>Insufficient data<\/td><td>not collected \(<code class="v">timeout<\/code>\)<\/td>/)
    // in the host's details too, the value marked for the page's script
    expect(html).toContain('"ins":"not collected (\uE000timeout\uE001)"')

    // judged again from the store: the same verdict, and check exits 6
    const check = hatang(['check', '1', '--store', store, '--json'])
    expect(check.status, check.stderr).toBe(6)
    const judged = JSON.parse(check.stdout) as {hosts: HostResults[]}
    expect(judged.hosts[0]).toMatchObject({host: 'mute', results: [], insufficient: 'not collected (timeout)'})
  }, 150_000)
})

describe('the evidence rule on collected hosts', () => {
  it('a host judged on too few of its applicable checks is insufficient data: exit 6, even with no failure', () => {
    // a real snapshot whose sections mostly timed out: the checks that read them are unknown
    let partial = collectedNow(real)
    for (const id of ['sshd', 'firewall', 'updates', 'sysctl', 'accounts', 'audit', 'mac', 'timeSync', 'packages', 'services', 'ports']) {
      partial = withSection(partial, id, {status: 'timeout', reason: 'timed out after 10 s'})
    }
    partial.host.status = 'partial'
    const f = file('partial.json', partial)
    const r = hatang(['check', f, '--fail-on', 'none'])
    expect(r.status, r.stderr).toBe(6)
    const line = new RegExp(`^${real.host.name} .*score [\\d.–]+ · coverage ([\\d.]+) %$`, 'm').exec(r.stdout)
    expect(line, r.stdout).not.toBeNull()
    expect(Number(line![1])).toBeLessThan(80)
    expect(r.stdout).toMatch(/✖ insufficient data: coverage [\d.]+ % \(\d+ of \d+ applicable checks judged; the rest unknown\), below 80 %/)
    // the floor is the operator's: at 0 % the same host is judged on what there is
    expect(hatang(['check', f, '--fail-on', 'none', '--min-coverage', '0']).status).toBe(0)
    const json = JSON.parse(hatang(['check', f, '--json', '--fail-on', 'none']).stdout) as {hosts: HostResults[]; scores: {overall: {coverage: number}}; evidence: {minCoverage: number}}
    expect(json.hosts[0]!.insufficient).toMatch(/^coverage/)
    expect(json.scores.overall.coverage).toBeLessThan(80)
    expect(json.evidence.minCoverage).toBe(80)
  })

  it('a snapshot collected 60 days ago is stale: flagged by check and in every report format, never judged as fresh', () => {
    const old = {...real, meta: {...real.meta, collectedAt: new Date(Date.now() - 60 * 86_400_000).toISOString()}}
    const f = file('old.json', old)
    const r = hatang(['check', f, '--fail-on', 'none'])
    expect(r.status, r.stderr).toBe(6)
    expect(r.stdout).toMatch(/✖ insufficient data: stale: collected 60 days ago \(limit 7 days\)/)
    expect(hatang(['check', f, '--fail-on', 'none', '--stale-after', '90']).status).toBe(0)

    const out = path.join(work, 'old-report')
    const rep = hatang(['report', f, '-o', out, '--format', 'json,csv,md,junit'])
    expect(rep.status, rep.stderr).toBe(0)
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results
    expect(results.hosts[0]).toMatchObject({stale: true, insufficient: 'stale: collected 60 days ago (limit 7 days)'})
    expect(readCsv(readFileSync(path.join(out, 'hosts.csv'), 'utf8'))[0]).toMatchObject({stale: 'yes', insufficient_data: 'stale: collected 60 days ago (limit 7 days)'})
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/: Stale — /)
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('insufficient data: stale: collected 60 days ago')
  })
})

describe('--stale-after on every command that judges, and coverage beside every score', () => {
  const DAY = 86_400_000
  const daysAgo = (s: Snapshot, days: number, name = s.host.name): Snapshot => ({...s, host: {...s.host, name}, meta: {...s.meta, collectedAt: new Date(Date.now() - days * DAY).toISOString()}})
  /** The files a report or an audit wrote into `out`, by how their names end. */
  const reader = (out: string) => {
    const written = readdirSync(out)
    return (suffix: string) => readFileSync(path.join(out, written.find((f) => f.endsWith(suffix))!), 'utf8')
  }

  it('report: the same snapshot of 60 days ago is stale under --stale-after 30 and fresh under 90, in every format', () => {
    const f = file('sixty-days.json', daysAgo(real, 60))
    const report = (days: number) => {
      const out = path.join(work, `report-stale-${days}`)
      // --min-coverage 0: only the age decides here
      const r = hatang(['report', f, '-o', out, '--format', 'json,csv,md,html', '--lang', 'en', '--min-coverage', '0', '--stale-after', String(days)])
      expect(r.status, r.stderr).toBe(0)
      const read = reader(out)
      return {results: JSON.parse(read('.json')) as Results, csv: readCsv(read('hosts.csv'))[0]!, md: read('.md'), html: read('.html')}
    }
    const stale = report(30)
    expect(stale.results.dataQuality.staleAfterDays).toBe(30)
    expect(stale.results.hosts[0]).toMatchObject({stale: true, insufficient: 'stale: collected 60 days ago (limit 30 days)'})
    expect(stale.csv).toMatchObject({stale: 'yes', insufficient_data: 'stale: collected 60 days ago (limit 30 days)'})
    expect(stale.md).toMatch(/: Stale — /)
    expect(stale.html).toContain('<span>Stale collections (older than 30 days)</span><strong>1</strong>')
    expect(stale.html).toContain(`<tr><td>${real.host.name}</td><td>Stale</td>`)

    const fresh = report(90)
    expect(fresh.results.dataQuality.staleAfterDays).toBe(90)
    expect(fresh.results.hosts[0]!.stale).toBe(false)
    expect(fresh.results.hosts[0]!.insufficient).toBeUndefined()
    expect(fresh.csv).toMatchObject({stale: 'no', insufficient_data: ''})
    expect(fresh.md).not.toMatch(/: Stale — /)
    expect(fresh.html).toContain('<span>Stale collections (older than 90 days)</span><strong>0</strong>')
  })

  it('audit: --stale-after reaches its verdict and its history; its per-run hosts.csv and HTML give a collected host its coverage', () => {
    const store = path.join(work, 'stale-audit.db')
    // an earlier run, imported: a host last collected 60 days ago, not in the audit's run
    const imported = hatang(['import', file('gone.json', daysAgo(real, 60, 'gone')), '--store', store])
    expect(imported.status, imported.stderr).toBe(0)
    const audit = (days: number) => {
      const out = path.join(work, `audit-stale-${days}`)
      // this machine, collected locally; --min-coverage 0 and --fail-on none: only the age decides the exit code
      const r = hatang(['audit', '--store', store, '-o', out, '--format', 'json,csv,html', '--lang', 'en', '--quiet', '--fail-on', 'none', '--min-coverage', '0', '--no-native', '--stale-after', String(days)], {timeoutMs: 120_000})
      const read = reader(out)
      return {r, results: JSON.parse(read('.json')) as Results, csv: readCsv(read('-hosts.csv')), html: read('.html')}
    }

    // within 90 days: nothing is stale
    const within = audit(90)
    expect(within.r.status, within.r.stdout + within.r.stderr).toBe(0)
    expect(within.results.hosts[0]).toMatchObject({status: expect.stringMatching(/^(ok|partial)$/), stale: false})
    expect(within.results.history).toMatchObject({staleAfterDays: 90, seen: expect.arrayContaining([expect.objectContaining({host: 'gone', stale: false})])})
    expect(within.html).not.toContain('Hosts not collected for more than')

    // the coverage of the host just collected, beside its score: results.json, the run's hosts.csv, the HTML hosts table
    const {score, coverage} = within.results.hosts[0]!.score
    expect(coverage).toBeGreaterThan(0)
    expect(within.csv[0]).toMatchObject({host: within.results.hosts[0]!.name, score: String(score), coverage_percent: String(coverage)})
    const row = new RegExp(`<tr data-i="0" [^>]*><td><button type="button" class="open">${within.results.hosts[0]!.name}</button>.*?</tr>`).exec(within.html)?.[0]
    expect(row, 'the host\'s row in the HTML hosts table').toBeDefined()
    const one = new Intl.NumberFormat('en-GB', {maximumFractionDigits: 1}).format
    expect(row).toContain(`<td class="num" data-v="${score}">${one(score!)}</td><td class="num" data-v="${coverage}">${one(coverage!)} %</td>`)

    // a limit of 0 days: this machine, collected seconds before it was judged, is already older; the host seen 60 days
    // ago is flagged in the history
    const none = audit(0)
    expect(none.r.status, none.r.stdout + none.r.stderr).toBe(6)
    expect(none.r.stdout).toMatch(/stale: collected 0 days ago \(limit 0 days\)/)
    expect(none.results.hosts[0]).toMatchObject({stale: true, insufficient: 'stale: collected 0 days ago (limit 0 days)'})
    expect(none.csv[0]).toMatchObject({stale: 'yes', coverage_percent: expect.stringMatching(/^\d/)})
    expect(none.results.history).toMatchObject({staleAfterDays: 0, seen: expect.arrayContaining([expect.objectContaining({host: 'gone', stale: true})])})
    expect(none.html).toContain('<h3>Hosts not collected for more than 0 days</h3>')
    expect(none.html).toMatch(/<table class="not-seen">.*<tr><td>gone<\/td><td>[^<]*\(last seen 60 days ago\)<\/td>/s)
  }, 300_000)
})

describe('what a host sends reaches a terminal as data', () => {
  it('check and summary.md escape control characters from /etc/os-release; JSON keeps the raw value', () => {
    const hostile = 'Debian\u001b]0;PWNED\u0007\u001b[2J GNU/Linux'
    const s = collectedNow(withSection(real, 'os', {status: 'ok', data: {...real.sections.os.data, prettyName: hostile}}))
    s.host.name = 'evil\u001b[31m'
    const f = file('hostile.json', s)
    const r = hatang(['check', f, '--fail-on', 'none', '--min-coverage', '0'])
    expect(r.stdout).toContain('evil\\x1b[31m')
    // no ESC, BEL or other control byte reaches the operator's terminal
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    const out = path.join(work, 'hostile-report')
    expect(hatang(['report', f, '-o', out, '--format', 'md,json', '--min-coverage', '0']).status).toBe(0)
    const md = readFileSync(path.join(out, 'summary.md'), 'utf8')
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    expect(md).toContain('evil\\\\x1b\\[31m')
    const json = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results
    expect(json.hosts[0]!.os.name).toBe(hostile)
  })
})
