/**
 * `npm run bench`: local collection, hatang against Ansible's fact gathering, in the same run.
 *   hatang collect --json            (full inventory, native hardware)
 *   hatang collect --json --no-native
 *   ansible -c local -m setup localhost
 * Alternating runs after one warm-up each (page cache and Node's module cache warm), median of RUNS (default 7).
 */
import {spawnSync} from 'node:child_process'
import path from 'node:path'

import {alternate, appendResults, median, table, type Contender} from './measure.js'

const runs = Number(process.env.RUNS ?? 7)
const bin = path.resolve(import.meta.dirname, '../../bin/run.js')
const contenders: Contender[] = [
  {name: 'hatang collect --json', command: [process.execPath, bin, 'collect', '--json', '--quiet']},
  {name: 'hatang collect --json --no-native', command: [process.execPath, bin, 'collect', '--json', '--quiet', '--no-native']},
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
const body = `${table(samples, reference)}\n\nWarm caches (one warm-up run each, then ${runs} alternating runs). Target: hatang collect --json ≤ 1000 ms median.`
console.log(body)
appendResults('Local collection (npm run bench)', 'npm run bench', body)
const m = median(samples.get('hatang collect --json')!.map((s) => s.wallMs))
console.log(`\nhatang collect --json median: ${m.toFixed(0)} ms — ${m <= 1000 ? 'within' : 'OVER'} the 1.0 s target`)
