/**
 * `npm run bench:sweep`: full-inventory sweeps of N hosts, each a distinct SSH connection to loopback sshd
 * instances, hatang next to `ansible all -m setup -f 50` on the same hosts (same key, same known_hosts,
 * each alias its own ControlPath), alternating, median of RUNS.
 *   NS=10,50,200,500   sizes (default)
 *   RUNS=3             runs per size and tool
 *   ANSIBLE_MAX=50     largest size Ansible is run at (it takes minutes beyond)
 *   FIXED_MAX=50       largest size hatang is also run at with adaptation off (HATANG_ADAPTIVE=0: always
 *                      --concurrency 50 hosts at once, no retry), to compare
 *   REPLAY=1           also sweep targets that replay a real target's answers (0: skip)
 *   FOCUS=a,b          sections whose summed target CPU gets a line of its own in the per-command table
 *   LOOPBACK=0         skip the loopback rows (only replayed targets)
 *   PROF=DIR           V8 CPU profiles of hatang's runs in DIR
 *   AUDIT=0            skip `hatang audit` of the replayed targets (on by default with REPLAY)
 * Every hatang run uses the bench's own cache and data folders; the package-index cache is warm (filled by the
 * recording, or by one sweep of one host, before anything is timed). "hosts ok" counts the hosts that ended ok in
 * each run (the worst run shown): a row with a host lost is not a timing, and says so.
 * Needs root (sshd) and Debian's ansible. Reports wall, hosts/s, controller CPU per host (user+sys of the
 * tool's process tree ÷ hosts), target CPU per host (the rest of the machine's CPU during the run ÷ hosts:
 * sshd and the probe commands, which on a real network run on the targets) and peak RSS.
 *
 * On one machine the targets' work shares the controller's cores, so the wall time of a loopback sweep is
 * the targets' CPU. The replay rows stand in for targets that are other machines: each is a real sshd (real
 * handshake, key checks, channels, the full output encrypted and sent) whose session, instead of running
 * the probes, waits as long as one real target took (measured idle, at the start) and then sends what
 * that target sent, byte for byte but for the new batch's nonce and clock.
 */
import {spawnSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {SshLab, TEST_USER, type Sshd} from '../test/support/sshd.js'
import {appendResults, machine, measure, median, type Contender, type Sample} from './measure.js'
import {recordTarget} from './replay-target.js'
import {SWEEP_BATCHES} from '../src/collect/sweep.js'
import {describeTargetWork, targetWork, targetWorkTable} from './target-work.js'

const sizes = (process.env.NS ?? '10,50,200,500').split(',').map(Number)
const runs = Number(process.env.RUNS ?? 3)
const ansibleMax = Number(process.env.ANSIBLE_MAX ?? 50)
const servers = Number(process.env.SERVERS ?? 8)
const fixedMax = Number(process.env.FIXED_MAX ?? 50)
const replay = process.env.REPLAY !== '0'
const loopback = process.env.LOOPBACK !== '0'
const auditReplay = replay && process.env.AUDIT !== '0'
const REPLAY_TOOL = 'hatang sweep, replayed targets'
const AUDIT_TOOL = 'hatang audit, replayed targets'
const FIXED_TOOL = 'hatang sweep, fixed 50 at once'
const bin = path.resolve(import.meta.dirname, '../../bin/run.js')
// PROF=DIR: hatang's runs write V8 CPU profiles there (node --cpu-prof), to see where the controller's time goes
const node = process.env.PROF ? [process.execPath, '--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [process.execPath]
const ansible = spawnSync('sh', ['-c', 'command -v ansible'], {encoding: 'utf8'}).stdout.trim()

function busyJiffies(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu
  return user + nice + system + irq + softirq + steal
}

/** How a hatang sweep's hosts ended, from its sweep.json. */
interface Ended {
  ok: number
  partial: number
  failed: number
  retried: number
}

interface Row {
  tool: string
  n: number
  samples: (Sample & {machineCpuMs: number; ended?: Ended})[]
}

function ended(dir: string): Ended {
  const summary = JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8')) as {hosts: {status: string; retried?: string}[]}
  const count = (f: (h: {status: string; retried?: string}) => boolean) => summary.hosts.filter(f).length
  return {ok: count((h) => h.status === 'ok'), partial: count((h) => h.status === 'partial'), failed: count((h) => h.status !== 'ok' && h.status !== 'partial'), retried: count((h) => h.retried !== undefined)}
}

function timed(c: Contender): Sample & {machineCpuMs: number} {
  const before = busyJiffies()
  const s = measure(c)
  return {...s, machineCpuMs: ((busyJiffies() - before) * 1000) / 100}
}


const lab = new SshLab()
const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-bench-sweep-'))
// the bench's own cache (package indexes) and data (audit's store): nothing from, or for, the user's
process.env.XDG_CACHE_HOME = path.join(work, 'cache')
process.env.XDG_DATA_HOME = path.join(work, 'data')
/** Hosts that ended ok in an audit's results (a sweep's come from ended()). */
function okIn(file: string): number {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {hosts: {status: string}[]}
  return doc.hosts.filter((h) => h.status === 'ok').length
}
const hostsYaml = (names: string[], port: (i: number) => number) =>
  [
    ...lab.hostsDefaults(),
    '  address: 127.0.0.1',
    'hosts:',
    ...names.flatMap((h, i) => [`  ${h}:`, `    port: ${port(i)}`]),
    '',
  ].join('\n')
const rows: Row[] = []
let recorded: {script: string; seconds: number[]} | undefined
try {
  const started = await Promise.all(Array.from({length: servers}, (_, i) => lab.start(`s${i}`)))
  for (const s of started) lab.trust(s)
  let replaying: Sshd[] = []
  if (replay) {
    recorded = await recordTarget(lab, started[0]!, path.join(lab.dir, 'replay'))
    // -r: each connection is handled by a fork of the listening sshd, not a fork that executes sshd again (the same
    // protocol, keys and channels; ~6 ms less of this machine's CPU a connection, that targets of their own would spend
    // on their own cores)
    replaying = await Promise.all(Array.from({length: servers}, (_, i) => lab.start(`r${i}`, {args: ['-r'], extraConfig: [`ForceCommand ${recorded!.script}`]})))
    for (const s of replaying) lab.trust(s)
  }
  if (loopback) {
    // the package-index cache warm, as on any run after the first: one sweep of one host
    const one = path.join(work, 'hosts-warm.yaml')
    writeFileSync(one, hostsYaml(['warm'], () => started[0]!.port))
    const w = spawnSync(process.execPath, [bin, 'sweep', one, '-o', path.join(work, 'warm'), '--quiet'], {encoding: 'utf8'})
    if (w.status !== 0) throw new Error(`warm-up sweep exited ${w.status}: ${w.stderr.slice(-2000)}`)
  }
  for (const n of sizes) {
    const names = Array.from({length: n}, (_, i) => `h${String(i).padStart(4, '0')}`)
    const port = (i: number) => started[i % started.length]!.port
    const hostsFile = path.join(work, `hosts-${n}.yaml`)
    writeFileSync(hostsFile, hostsYaml(names, port))
    const cp = path.join(work, 'cp')
    const inventory = path.join(work, `inventory-${n}.ini`)
    writeFileSync(
      inventory,
      [
        '[fleet]',
        ...names.map(
          (h, i) =>
            `${h} ansible_host=127.0.0.1 ansible_port=${port(i)} ansible_user=${TEST_USER} ansible_ssh_private_key_file=${lab.clientKey} ` +
            `ansible_ssh_common_args="-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${cp}-${h} -o UserKnownHostsFile=${lab.knownHosts} -o StrictHostKeyChecking=yes"`,
        ),
        '',
      ].join('\n'),
    )
    const contenders: Contender[] = []
    // the default timeouts: a sweep that loses hosts to them on a busy controller is what adaptive concurrency prevents
    // a sweep that lost hosts exits 3: counted in the table, as that is what is measured
    if (loopback) contenders.push({name: 'hatang sweep', command: [...node, bin, 'sweep', hostsFile, '-o', path.join(work, `out-${n}`), '--quiet', '--concurrency', '50'], okExits: [0, 3]})
    if (loopback && n <= fixedMax)
      contenders.push({name: FIXED_TOOL, command: [...node, bin, 'sweep', hostsFile, '-o', path.join(work, `fixed-${n}`), '--quiet', '--concurrency', '50'], env: {HATANG_ADAPTIVE: '0'}, okExits: [0, 3]})
    if (replay) {
      const replayFile = path.join(work, `hosts-replay-${n}.yaml`)
      writeFileSync(replayFile, hostsYaml(names, (i) => replaying[i % replaying.length]!.port))
      contenders.push({name: REPLAY_TOOL, command: [...node, bin, 'sweep', replayFile, '-o', path.join(work, `replay-${n}`), '--quiet', '--concurrency', '50']})
      if (auditReplay)
        contenders.push({
          name: AUDIT_TOOL,
          command: [...node, bin, 'audit', replayFile, '-o', path.join(work, `audit-${n}`), '-f', 'json', '--quiet', '--concurrency', '50', '--store', path.join(work, `audit-${n}.db`)],
          // 1: findings at or above --fail-on, as on any real fleet; the run itself is whole
          okExits: [0, 1],
        })
    }
    if (loopback && ansible && n <= ansibleMax) {
      contenders.push({
        name: 'ansible all -m setup -f 50',
        command: [ansible, 'all', '-i', inventory, '-m', 'setup', '-f', '50'],
        env: {ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_SSH_CONTROL_PATH_DIR: work},
        okExits: [0, 2, 4],
        hostsOk: (stdout) => (stdout.match(/^\S+ \| SUCCESS => /gm) ?? []).length,
      })
    }
    const byTool = new Map(contenders.map((c) => [c.name, [] as Row['samples']]))
    for (let r = 0; r < runs; r++) {
      for (const c of contenders) {
        // no master connection survives from a previous run: ControlPersist keeps a master alive after its
        // socket is removed, so end the processes too
        spawnSync('sh', ['-c', `pkill -f -- "ControlPath=${cp}-" ; rm -f ${cp}-*`])
        const s: Row['samples'][number] = timed(c)
        if (!(c.okExits ?? [0]).includes(s.exitCode ?? -1)) throw new Error(`${c.name} (${n} hosts) exited ${s.exitCode}; it printed, at the end:\n${s.tail}`)
        const sweepDir = c.name === 'hatang sweep' ? `out-${n}` : c.name === FIXED_TOOL ? `fixed-${n}` : c.name === REPLAY_TOOL ? `replay-${n}` : undefined
        if (sweepDir) {
          s.ended = ended(path.join(work, sweepDir))
          s.hostsOk = s.ended.ok
        }
        if (c.name === AUDIT_TOOL) {
          const dir = path.join(work, `audit-${n}`)
          const newest = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().at(-1)
          s.hostsOk = newest ? okIn(path.join(dir, newest)) : 0
          rmSync(dir, {recursive: true, force: true})
        }
        byTool.get(c.name)!.push(s)
        console.error(`${c.name} n=${n} run ${r + 1}: ${(s.wallMs / 1000).toFixed(2)} s, ${s.hostsOk ?? '?'} of ${n} hosts ok${s.ended ? ` (${endedText(s.ended)})` : ''}`)
      }
    }
    for (const [tool, samples] of byTool) rows.push({tool, n, samples})
  }
} finally {
  await lab.cleanup()
  if (!process.env.KEEP) rmSync(work, {recursive: true, force: true})
}

function endedText(e: Ended): string {
  return `${e.ok} ok, ${e.partial} partial, ${e.failed} not collected${e.retried ? `, ${e.retried} retried` : ''}`
}

const autogroup = (() => {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1'
  } catch {
    return false
  }
})()

// the probe commands' own cost, measured once with the machine otherwise idle
const targetCosts = targetWork()
const targetCost = describeTargetWork(targetCosts)

const lines = [
  '| hosts | tool | runs | hosts ok (worst run) | wall median (s) | hosts/s | controller CPU/host (ms) | target CPU/host (ms) | target CPU vs Ansible | peak RSS (MB) | wall vs Ansible |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
]
for (const row of rows) {
  const wall = median(row.samples.map((s) => s.wallMs))
  const ctl = median(row.samples.map((s) => s.cpuMs))
  const target = median(row.samples.map((s) => Math.max(0, s.machineCpuMs - s.cpuMs)))
  const peer = rows.find((r) => r.n === row.n && r.tool.startsWith('ansible'))
  const speed = peer ? median(peer.samples.map((s) => s.wallMs)) / wall : 0
  const ok = Math.min(...row.samples.map((s) => s.hostsOk ?? Number.NaN))
  const whole = ok === row.n
  const peersWhole = !peer || Math.min(...peer.samples.map((s) => s.hostsOk ?? Number.NaN)) === row.n
  const replayed = row.tool === REPLAY_TOOL || row.tool === AUDIT_TOOL
  const ratio = !whole ? 'not a timing (hosts lost)' : replayed ? '— (targets replayed)' : peer && row.tool.startsWith('hatang') ? (!peersWhole ? 'Ansible lost hosts' : speed >= 1 ? `${speed.toFixed(2)}× faster` : `${(1 / speed).toFixed(2)}× slower`) : row.tool.startsWith('ansible') ? '1.0×' : 'not run'
  const peerTarget = peer ? median(peer.samples.map((s) => Math.max(0, s.machineCpuMs - s.cpuMs))) : 0
  const targetRatio = replayed ? '—' : peer && row.tool.startsWith('hatang') ? `${(target / peerTarget).toFixed(2)}×` : row.tool.startsWith('ansible') ? '1.00×' : 'not run'
  lines.push(
    `| ${row.n} | ${row.tool} | ${row.samples.length} | ${Number.isNaN(ok) ? '?' : ok} of ${row.n} | ${(wall / 1000).toFixed(2)} | ${((row.n * 1000) / wall).toFixed(1)} | ${(ctl / row.n).toFixed(0)} | ${(target / row.n).toFixed(0)} | ${targetRatio} | ${(Math.max(...row.samples.map((s) => s.maxRssKb)) / 1024).toFixed(0)} | ${ratio} |`,
  )
}
/** Whether ssh2 seals and opens packets in its C++ binding (built at install) or in JavaScript: ~10 ms of the
 * controller's CPU a real target apart, so the table says which ran. */
const ssh2Binding = (createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as {bindingAvailable: boolean}).bindingAvailable
const body = `${lines.join('\n')}\n\n${servers} sshd instances on 127.0.0.1, each host alias its own connection; full inventory (every probe); ssh2's crypto ${ssh2Binding ? 'binding (C++)' : 'in JavaScript (its binding was not built at install)'}. Warm page cache and package-index cache (hatang's cache folder filled before timing; a host then sends its lists' hashes only); no SSH connection reused between runs (Ansible's ControlPath per alias, removed before each run). Targets share this machine's cores (their sshd and sessions run at nice 19, so the controller is not starved as it would not be with separate machines${autogroup ? '; but the kernel groups each session for scheduling here (sched_autogroup_enabled=1), and nice does not reach across groups: each target session weighs as much as the whole controller' : ''}): "target CPU/host" is what a real network would move off the controller. "hatang sweep" adapts the hosts at once (at most 50); "${FIXED_TOOL}" is the same with HATANG_ADAPTIVE=0. Target work: ${targetCost}; the rest of a target's share is sshd (handshake, ${SWEEP_BATCHES === 1 ? 'one session' : `${SWEEP_BATCHES} sessions`}) and the batch shell${SWEEP_BATCHES === 1 ? '' : 's'}.${
  recorded
    ? ` "${REPLAY_TOOL}": ${servers} more sshd instances (started with -r: no re-execution a connection) whose sessions replay one real target's answers after the time it took, measured idle at the start (${recorded.seconds.length === 1 ? 'one batch' : 'batches'} of ${recorded.seconds.map((x) => `${x.toFixed(2)} s`).join(', ')}${recorded.seconds.length === 1 ? '' : ', run in parallel'}): real SSH and the real output, but no probe work on this machine's cores, as if each target were a machine of its own; its "target CPU/host" is what is left on them (sshd, the replay).`
    : ''
} ${machine()}.\n\nTarget work per section and command (this machine as root, each command alone):\n\n${targetWorkTable(targetCosts, (process.env.FOCUS ?? '').split(',').filter(Boolean))}`
console.log(body)
appendResults('Fleet sweep over SSH (npm run bench:sweep)', `NS=${sizes.join(',')} RUNS=${runs} ANSIBLE_MAX=${ansibleMax}${fixedMax === 50 ? '' : ` FIXED_MAX=${fixedMax}`}${replay ? '' : ' REPLAY=0'}${loopback ? '' : ' LOOPBACK=0'}${auditReplay || !replay ? '' : ' AUDIT=0'} npm run bench:sweep`, body)
