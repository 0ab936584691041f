/**
 * Check speed: N host snapshots (variants of the real snapshots captured in test/fixtures/fleet) judged by every
 * built-in pack, per-host checks and fleet checks, with evaluateRun, as `hatang check` does after loading them.
 * Median of RUNS runs (after one warm-up); appends a table to bench/RESULTS.md.
 *
 *   npm run bench:checks              N=1000 RUNS=7 by default; target ≤ 1 s
 */
import {createHash} from 'node:crypto'
import {appendFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {appSpecificId} from '../src/model/sections/identity.js'
import {collectHost} from '../src/collect/collect-host.js'
import {builtinPackNames, packFile} from '../src/engine/checks/builtin-packs.js'
import {loadPack} from '../src/engine/checks/pack.js'
import {runChecks} from '../src/engine/checks/run-checks.js'
import {evaluateRun} from '../src/engine/evaluate-run.js'
import {runFleetChecks} from '../src/engine/fleet/run-fleet.js'
import {loadSnapshots} from '../src/engine/load-snapshots.js'
import type {Snapshot} from '../src/model/snapshot.js'
import {LocalTransport} from '../src/transport/local-transport.js'
import {median} from './measure.js'

const N = Number(process.env.N ?? 1000)
const RUNS = Number(process.env.RUNS ?? 7)
const root = path.resolve(import.meta.dirname, '../..')
const chroots = loadSnapshots([path.join(root, 'test/fixtures/fleet')])
// a full-size host too: this machine, collected now (the chroots are minimal installations with few packages)
const local = await collectHost(new LocalTransport([]), {hostName: 'local'})
const packs = builtinPackNames().map((p) => loadPack(packFile(p)))

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n)

/** Host i: a copy of one real snapshot with its own name, group (50 hosts each), machine-id and host keys; every 97th drifted. */
function variant(real: readonly Snapshot[], i: number): Snapshot {
  const s = structuredClone(real[i % real.length]!)
  const name = `host${String(i).padStart(4, '0')}`
  s.host = {...s.host, name, groups: [`g${Math.floor(i / 50)}`], role: i % 2 ? 'app' : 'db'}
  const id = s.sections.identity.data!
  id.hostname = name
  id.machineAppId = appSpecificId(hex(`m${i}`, 32))
  id.sshHostKeys = id.sshHostKeys?.map((k) => ({...k, fingerprint: `SHA256:${createHash('sha256').update(`${name}${k.type}`).digest('base64').replace(/=+$/, '')}`}))
  if (i % 97 === 0) {
    const p = s.sections.packages.data!.items.find((x) => x.name === 'libc6')!
    p.version = `${p.version}~old`
  }
  return s
}

const perHost = packs.reduce((n, p) => n + p.checks.length, 0)
const fleetChecks = packs.reduce((n, p) => n + (p.fleet?.length ?? 0), 0)
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`
const packagesOf = (real: readonly Snapshot[]) => real.map((s) => s.sections.packages.data?.items.length ?? 0)

/** Times evaluateRun (and its two halves) over N variants of `real`, fresh objects every run (nothing derived is reused). */
function scenario(name: string, real: readonly Snapshot[]): {rows: string[]; medianMs: number; findings: number; fails: number} {
  const time = (f: (snaps: Snapshot[]) => unknown) => {
    const snaps = Array.from({length: N}, (_, i) => variant(real, i))
    const t0 = performance.now()
    f(snaps)
    return performance.now() - t0
  }
  time((s) => evaluateRun(s, packs)) // warm-up (JIT)
  const whole: number[] = []
  const hostsOnly: number[] = []
  const fleetOnly: number[] = []
  for (let r = 0; r < RUNS; r++) {
    whole.push(time((s) => evaluateRun(s, packs)))
    hostsOnly.push(time((s) => s.map((x) => runChecks(x, packs))))
    fleetOnly.push(time((s) => runFleetChecks(s, packs)))
  }
  const result = evaluateRun(Array.from({length: N}, (_, i) => variant(real, i)), packs)
  const sizes = packagesOf(real)
  const what = `${name} (${Math.min(...sizes)}–${Math.max(...sizes)} packages)`
  return {
    rows: [
      `| ${what} | evaluateRun: per-host + fleet, waivers, scores | ${N} | ${perHost} + ${fleetChecks} fleet | ${RUNS} | ${fmt(whole)} |`,
      `| ${what} | per-host checks only | ${N} | ${perHost} | ${RUNS} | ${fmt(hostsOnly)} |`,
      `| ${what} | fleet checks only | ${N} | ${fleetChecks} fleet | ${RUNS} | ${fmt(fleetOnly)} |`,
    ],
    medianMs: median(whole),
    findings: result.fleet.length,
    fails: result.fleet.filter((f) => f.status === 'fail').length,
  }
}

const a = scenario('chroot fleet', chroots)
const b = scenario('this machine', [local])
const table = [`| snapshots | step | hosts | checks | runs | median (ms) | min–max (ms) |`, `|---|---|---:|---:|---:|---:|---:|`, ...a.rows, ...b.rows].join('\n')
console.log(table)
const verdict = (x: {medianMs: number}) => (x.medianMs <= 1000 ? 'met' : 'MISSED')
console.log(`\nchroot fleet: ${a.findings} fleet findings (${a.fails} failing), target ≤ 1000 ms ${verdict(a)}; this machine: ${verdict(b)}`)
const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`

appendFileSync(
  path.join(root, 'bench/RESULTS.md'),
  `\n## Checks over ${N} hosts (npm run bench:checks) — ${new Date().toISOString()}\n\nMachine: ${machine}\n\nCommand: \`${process.env.N ? `N=${N} ` : ''}npm run bench:checks\`\n\n${table}\n\n` +
    `Packs: ${packs.map((p) => `${p.pack} ${p.version}`).join(', ')}. Snapshots: variants (own name, machine-id and host keys; groups of 50, two roles; ` +
    `every 97th host with a drifted libc6) of the ${chroots.length} real chroot snapshots of test/fixtures/fleet, then of this machine's own snapshot collected ` +
    `at the start; in memory, fresh objects for every run: JSON parsing and validation are not timed. Chroot fleet: ${a.findings} fleet findings, ${a.fails} failing. ` +
    `One warm-up run, then ${RUNS}. Target: evaluateRun ≤ 1000 ms median (chroot fleet ${verdict(a)}, this machine ${verdict(b)}).\n`,
)
