/**
 * `npm run bench`: local collection, hatang against Ansible's fact gathering, in the same run.
 *   hatang collect --json            (full inventory; on Linux the hardware read by the probes, as by default)
 *   hatang collect --json --native   (the hardware read by systeminformation instead)
 *   ansible -c local -m setup localhost
 * Alternating runs after one warm-up each (page cache and Node's module cache warm), median of RUNS (default 7).
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {alternate, appendResults, median, table, type Contender} from './measure.js'

const runs = Number(process.env.RUNS ?? 7)
const bin = path.resolve(import.meta.dirname, '../../bin/run.js')
// the bench's own cache folders: warm (kept across runs, as after any first run) and cold (emptied before each run)
const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-bench-collect-'))
const warm = {XDG_CACHE_HOME: path.join(work, 'warm')}
const cold = {XDG_CACHE_HOME: path.join(work, 'cold')}
process.on('exit', () => rmSync(work, {recursive: true, force: true}))
const contenders: Contender[] = [
  {name: 'hatang collect --json', command: [process.execPath, bin, 'collect', '--json', '--quiet'], env: warm},
  {name: 'hatang collect --json --native', command: [process.execPath, bin, 'collect', '--json', '--quiet', '--native'], env: warm},
  {
    name: 'hatang collect --json, package-index cache cold',
    command: [process.execPath, bin, 'collect', '--json', '--quiet'],
    env: cold,
    before: () => rmSync(cold.XDG_CACHE_HOME, {recursive: true, force: true}),
  },
]
const ansible = spawnSync('sh', ['-c', 'command -v ansible'], {encoding: 'utf8'}).stdout.trim()
if (ansible) {
  contenders.push({
    name: 'ansible -c local -m setup localhost',
    command: [ansible, '-c', 'local', '-m', 'setup', 'localhost'],
    env: {ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent'},
  })
} else {
  console.error('ansible is not installed (apt-get install ansible): measuring hatang alone')
}

const samples = alternate(contenders, runs)
const reference = ansible ? 'ansible -c local -m setup localhost' : contenders[0]!.name
const body = `${table(samples, reference)}\n\nWarm page cache (one warm-up run each, then ${runs} alternating runs); hatang's package-index cache warm except on the "cold" line, whose cache folder is emptied before each run (every list read and digested again). Targets: hatang collect --json ≤ 1000 ms median, and ≤ 0.6× Ansible's CPU.`
console.log(body)
appendResults('Local collection (npm run bench)', 'npm run bench', body)
const m = median(samples.get('hatang collect --json')!.map((s) => s.wallMs))
console.log(`\nhatang collect --json median: ${m.toFixed(0)} ms — ${m <= 1000 ? 'within' : 'OVER'} the 1.0 s target`)
