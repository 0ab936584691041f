import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunDiff} from '../../src/engine/diff.js'
import type {Results} from '../../src/model/results.js'
import type {Why} from '../../src/model/why.js'
import {hatang} from '../support/cli.js'
import {ansibleEnv, startFixTarget, type CommandResult, type FixTarget} from '../support/fix-target.js'

/**
 * Issue 16's loop, end to end on two disposable targets (test/support/fix-target.ts — this machine's root through an
 * overlay, in namespaces of its own): one audit of both → `hatang fix` → one target fixed by `ansible-playbook`, the
 * other by its shell script run over SSH → one audit of both again. Every fixed check passes, no other check got
 * worse, both are still reached over SSH, `hatang diff` lists the fixes, and a second run of either changes nothing.
 */
const VIA_ANSIBLE = 'via-ansible'
const VIA_SH = 'via-sh'
/**
 * The efficiency pack judges this shared machine's load and free space (the targets' kernel and their overlay's lower
 * layer), which move on their own between two audits: left out of "no other check got worse".
 */
const MOVING_PACKS = new Set(['efficiency'])

let targets: Record<string, FixTarget>
let work: string
let store: string
let hostsFile: string
/** The checks fixed; the ones the plan had that cannot be fixed here, and why. */
let fixed: string[]
let leftOut: {check: string; why: string[]}[]
/** The two audits' results; each format's first and second application. */
let before: Results
let after: Results
type Applied = Record<'playbook' | 'script' | 'playbookAgain' | 'scriptAgain', CommandResult>
const applied = {} as Applied
let seconds: Record<string, number>

function cli(args: string[]): string {
  const r = hatang([...args, '--store', store], {timeoutMs: 180_000})
  expect(r.status, `hatang ${args.join(' ')}\n${r.stderr}${r.stdout}\n${Object.values(targets).map((t) => t.log()).join('\n')}`).toBe(0)
  return r.stdout
}

/** One audit of both targets, its results (JSON report). */
function audit(name: string): Results {
  const out = path.join(work, name)
  cli(['audit', hostsFile, '--quiet', '-o', out, '-f', 'json', '--fail-on', 'none', '--min-coverage', '0', '--ssh-config', 'none'])
  return JSON.parse(readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8')) as Results
}

/** Runs a program without blocking this process, its stdin the given text. */
function run(file: string, args: string[], options: {input?: string; env?: NodeJS.ProcessEnv} = {}): Promise<CommandResult> {
  const child = spawn(file, args, {env: options.env ?? process.env, timeout: 600_000})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (status) => resolve({status, stdout, stderr}))
  })
}

const playbook = (dir: string) => run('ansible-playbook', ['-i', path.join(dir, 'inventory.yml'), path.join(dir, 'site.yml')], {env: ansibleEnv(path.join(work, 'ansible'))})

/** The script copied to the host and run there as root, its stdin not the script (a command of it may read stdin). */
const script = (target: FixTarget, file: string) =>
  run('ssh', [...target.sshOptions, `root@${target.host}`, 'f=$(mktemp) && cat > "$f" && sh "$f" < /dev/null; s=$?; rm -f "$f"; exit $s'], {input: readFileSync(file, 'utf8')})

/** The recap line of a playbook run for a host: ok, changed, unreachable, failed. */
function recap(run: CommandResult, host: string): Record<string, number> {
  const line = new RegExp(`^${host}\\s*: (.*)$`, 'm').exec(run.stdout)?.[1]
  expect(line, run.stdout + run.stderr).toBeDefined()
  return Object.fromEntries([...line!.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]))
}

/**
 * What a failed result says cannot be fixed in a target, from its `why` tree: a kernel parameter outside net.* whose
 * running value is wrong (this machine's own, read-only in the target), or a daemon that is not running (no service
 * manager runs in a target to start one).
 */
function notHere(w: Why | undefined): string[] {
  if (!w) return []
  const p = w.p ?? {}
  const own = w.t === 'sysctl.runtimeWrong' && !String(p.key).startsWith('net.') ? [`${p.key}: running value wrong, read-only here`] : /\.running$/.test(String(p.field)) ? [`${p.field}: a daemon that does not run here`] : []
  return [...own, ...(w.of ?? []).flatMap((x) => notHere(x))]
}

/**
 * The state the fleet's hosts were found in, which this machine is not: nftables installed (Debian installs it) but no
 * rule loaded, and no security suite among the package sources (5 of 6 hosts of the issue that asked for the
 * security-source check). Both come from the target's own .debs and files; nothing leaves the target.
 */
function asNewServer(target: FixTarget): void {
  const r = target.exec(
    [
      'set -e',
      'cd /var/cache/apt/archives && dpkg -i libnftnl11_*.deb libnftables1_*.deb nftables_*.deb > /dev/null',
      'for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do',
      '  [ -f "$f" ] || continue',
      // one-line sources lose their security lines, deb822 ones their security stanzas
      '  case $f in *.sources) awk -v RS= -v ORS="\\n\\n" "!/-security/" "$f" > "$f.new" ;; *) grep -v -- "-security" "$f" > "$f.new" || true ;; esac',
      '  mv "$f.new" "$f"',
      'done',
    ].join('\n'),
  )
  expect(r.status, r.stdout + r.stderr).toBe(0)
}

const statuses = (results: Results, host: string) => new Map(results.hosts.find((h) => h.name === host)!.results.map((r) => [`${r.pack}/${r.check}`, r]))

beforeAll(async () => {
  const started = Date.now()
  const lap = (name: string, since: number) => (seconds[name] = Math.round((Date.now() - since) / 100) / 10)
  seconds = {}
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-fix-loop-'))
  store = path.join(work, 'store.db')
  const [a, s] = await Promise.all([startFixTarget(), startFixTarget()])
  targets = {[VIA_ANSIBLE]: a, [VIA_SH]: s}
  for (const target of [a, s]) asNewServer(target)
  hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(
    hostsFile,
    [
      'defaults:',
      '  address: 127.0.0.1',
      '  user: root',
      'hosts:',
      ...Object.entries(targets).map(([name, t]) => `  ${name}: {port: ${t.port}, identityFile: ${t.clientKey}, knownHostsFile: ${t.knownHosts}}`),
      '',
    ].join('\n'),
  )
  lap('targets', started)

  let t = Date.now()
  before = audit('audit-1')
  lap('audit1', t)

  // What the plan fixes, less what cannot be fixed in a target (notHere): a kernel-wide parameter (not net.*) whose
  // running value is wrong is this machine's own and read-only there, a daemon needs a service manager to run —
  // such a fix would fail there, or change nothing the audit sees. Both targets are this machine, so they fail the
  // same checks and get the same plan.
  const plan = JSON.parse(cli(['fix', '1', '--dry-run', '--json', '--ssh-config', 'none'])) as {hosts: {host: string; fixes: {check: string}[]}[]}
  const planned = [...new Set(plan.hosts.flatMap((h) => h.fixes.map((f) => f.check)))].sort()
  leftOut = planned
    .map((check) => ({check, why: [...new Set(before.hosts.flatMap((h) => h.results.filter((r) => r.check === check && r.status === 'fail').flatMap((r) => notHere(r.why))))]}))
    .filter((x) => x.why.length > 0)
  fixed = planned.filter((c) => !leftOut.some((x) => x.check === c))
  // issue 16: the loop proves at least the 30 most frequent failing checks of the built-in packs
  expect(fixed.length, `only ${fixed.length} fixable here among ${planned.join(', ')}`).toBeGreaterThanOrEqual(30)
  const only = fixed.flatMap((c) => ['--check', c])
  const viaAnsible = path.join(work, 'fix-ansible')
  const viaSh = path.join(work, 'fix-sh')
  cli(['fix', '1', '--limit', VIA_ANSIBLE, ...only, '-o', viaAnsible, '--ssh-config', 'none'])
  cli(['fix', '1', '--limit', VIA_SH, ...only, '--format', 'sh', '-o', viaSh, '--ssh-config', 'none'])
  const shScript = path.join(viaSh, 'sh', `${VIA_SH}.sh`)

  // each target by its own format, at the same time
  t = Date.now()
  ;[applied.playbook, applied.script] = await Promise.all([playbook(viaAnsible), script(targets[VIA_SH]!, shScript)])
  lap('apply', t)
  t = Date.now()
  after = audit('audit-2')
  lap('audit2', t)
  t = Date.now()
  ;[applied.playbookAgain, applied.scriptAgain] = await Promise.all([playbook(viaAnsible), script(targets[VIA_SH]!, shScript)])
  lap('applyAgain', t)
  lap('total', started)
  console.log(`fix loop: ${fixed.length} checks fixed (${fixed.join(', ')}); left out: ${JSON.stringify(leftOut)}; seconds ${JSON.stringify(seconds)}`)
}, 900_000)

afterAll(async () => {
  await Promise.all(Object.values(targets ?? {}).map((t) => t.stop()))
  if (work) rmSync(work, {recursive: true, force: true})
})

describe('audit → hatang fix → apply → audit again, on disposable targets', () => {
  it('ansible-playbook applies the fixes without a failure', () => {
    const r = applied.playbook
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(recap(r, VIA_ANSIBLE)).toMatchObject({unreachable: 0, failed: 0})
    expect(recap(r, VIA_ANSIBLE).changed).toBeGreaterThan(0)
  })

  it('the shell script applies the fixes without a failure', () => {
    const r = applied.script
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toContain(`hatang fix: ${fixed.length} fixes applied`)
  })

  it.each([VIA_ANSIBLE, VIA_SH])('every fixed check passes on %s', (host) => {
    const now = statuses(after, host)
    const result = (check: string) => [...now.values()].find((r) => r.check === check)
    expect(fixed.filter((c) => result(c)?.status !== 'pass').map((c) => `${c}: ${result(c)?.status} ${result(c)?.reason ?? ''}`)).toEqual([])
  })

  it.each([VIA_ANSIBLE, VIA_SH])('no other check got worse on %s, and it is still reached over SSH', (host) => {
    expect(after.hosts.find((h) => h.name === host)?.status).toBe('ok')
    const login = targets[host]!.ssh('/usr/sbin/sshd -t && echo ok')
    expect(login.stdout + login.stderr).toBe('ok\n')
    const was = statuses(before, host)
    const now = statuses(after, host)
    expect([...now.keys()].sort()).toEqual([...was.keys()].sort())
    const worse = [...was]
      .filter(([, r]) => !MOVING_PACKS.has(r.pack) && !fixed.includes(r.check))
      .filter(([key, r]) => now.get(key)!.status !== r.status && now.get(key)!.status !== 'pass')
      .map(([key, r]) => `${key}: ${r.status} → ${now.get(key)!.status} ${now.get(key)!.reason ?? ''}`)
    expect(worse).toEqual([])
  })

  it('the playbook and the script write the same firewall for the same facts', () => {
    // the SSH ports: the one sshd listens on inside the target and the one of the hosts file (each target's own)
    const rules = Object.values(targets).map((t) => {
      const text = t.exec('cat /etc/nftables.conf').stdout
      expect(text).toMatch(new RegExp(`policy drop;[\\s\\S]*tcp dport \\{ 22, ${t.port} \\} accept`))
      return text.replace(`22, ${t.port}`, '22, PORT')
    })
    expect(rules[1]).toBe(rules[0])
  })

  it('hatang diff lists every fix as fixed, on each target, and no new finding', () => {
    const diff = JSON.parse(cli(['diff', '1', '2', '--json'])) as RunDiff
    const missing = [VIA_ANSIBLE, VIA_SH].flatMap((host) => fixed.filter((c) => !diff.findings!.fixed.some((f) => f.host === host && f.check === c)).map((c) => `${host} ${c}`))
    expect(missing).toEqual([])
    expect(diff.findings!.new.filter((f) => !MOVING_PACKS.has(f.pack))).toEqual([])
  })

  it('a second ansible-playbook run reports changed=0', () => {
    const r = applied.playbookAgain
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(recap(r, VIA_ANSIBLE), r.stdout).toMatchObject({changed: 0, unreachable: 0, failed: 0})
  })

  it('a second run of the shell script changes nothing', () => {
    const r = applied.scriptAgain
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).not.toMatch(/^(changed|handler):/m)
  })
})
