/**
 * `npm run bench:hosts`: reading a big inventory, end to end as a user runs it, next to Ansible.
 * For each size N (NS=1000,10000,100000 by default) it writes the same N hosts three ways — a hosts.yaml with
 * nested groups, an Ansible INI inventory and an Ansible YAML inventory (groups of 50 hosts under 20 regions under
 * `prod`, addresses, some ports and users, group variables, a key file that exists) — plus an ssh_config of 20
 * Host blocks, and times, alternating (A B C … A B C …) after one warm-up each, median of RUNS (default 3):
 *   hatang hosts validate hosts.yaml | inventory.ini | inventory.yml
 *   ansible-inventory -i inventory.ini --list   (the peer; and on inventory.yml)
 *   hatang hosts list hosts.yaml --limit 'region01,g0002*,&prod,!h0000001' --json
 *   ansible 'region01:g0002*:&prod:!h0000001' -i inventory.ini --list-hosts   (the peer for --limit)
 * Whole processes under /usr/bin/time -v (wall, user+sys CPU, peak RSS). Appends a table to bench/RESULTS.md.
 * PEER_MAX (default 10000): the largest size Ansible is run at (ansible-inventory takes ~30 s at 10,000 hosts here
 * and grows faster than the hosts). BENCH_KEEP=1 keeps the generated files. Target: 100,000 hosts read and validated in ≤ 2 s.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {alternate, appendResults, median, type Contender, type Sample} from './measure.js'

const sizes = (process.env.NS ?? '1000,10000,100000').split(',').map(Number)
const runs = Number(process.env.RUNS ?? 3)
const peerMax = Number(process.env.PEER_MAX ?? 10_000)
/** BENCH_KEEP=1: keep the generated inventories (to profile a command on them). */
const keep = process.env.BENCH_KEEP === '1'
const bin = path.resolve(import.meta.dirname, '../../bin/run.js')
const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], {encoding: 'utf8'}).stdout.trim()
const ansibleInventory = which('ansible-inventory')
const ansible = which('ansible')

const GROUP_SIZE = 50
const REGIONS = 20
const pad = (n: number, width: number) => String(n).padStart(width, '0')

interface Host {
  name: string
  address: string
  port?: number
  user?: string
  group: string
  region: string
}

/** N hosts in groups of 50, each group in one of 20 regions; every 10th host on port 2222, every 7th its own user. */
function fleet(n: number): {hosts: Host[]; groups: Map<string, Host[]>} {
  const hosts: Host[] = []
  const groups = new Map<string, Host[]>()
  for (let i = 1; i <= n; i++) {
    const g = Math.ceil(i / GROUP_SIZE)
    const h: Host = {
      name: `h${pad(i, 7)}`,
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      ...(i % 10 === 0 ? {port: 2222} : {}),
      ...(i % 7 === 0 ? {user: `u${i % 100}`} : {}),
      group: `g${pad(g, 5)}`,
      region: `region${pad((g % REGIONS) + 1, 2)}`,
    }
    hosts.push(h)
    const members = groups.get(h.group)
    if (members) members.push(h)
    else groups.set(h.group, [h])
  }
  return {hosts, groups}
}

function regionsOf(groups: Map<string, Host[]>): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [g, members] of groups) {
    const r = members[0]!.region
    const names = out.get(r)
    if (names) names.push(g)
    else out.set(r, [g])
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)))
}

function hostsYaml(groups: Map<string, Host[]>, key: string): string {
  const out = ['defaults:', '  user: audit', `  identityFile: ${key}`, '  connectTimeout: 10', 'groups:', '  prod:', '    children:']
  for (const [region, names] of regionsOf(groups)) {
    out.push(`      ${region}:`, `        tags: [${region}]`, '        children:')
    for (const g of names) {
      out.push(`          ${g}:`, '            hosts:')
      for (const h of groups.get(g)!) out.push(`              ${h.name}: {address: ${h.address}${h.port ? `, port: ${h.port}` : ''}${h.user ? `, user: ${h.user}` : ''}}`)
    }
  }
  return `${out.join('\n')}\n`
}

function inventoryIni(groups: Map<string, Host[]>, key: string): string {
  const out: string[] = []
  for (const [g, members] of groups) {
    out.push(`[${g}]`)
    for (const h of members) out.push(`${h.name} ansible_host=${h.address}${h.port ? ` ansible_port=${h.port}` : ''}${h.user ? ` ansible_user=${h.user}` : ''}`)
  }
  for (const [region, names] of regionsOf(groups)) out.push(`[${region}:children]`, ...names, `[${region}:vars]`, `region=${region}`)
  out.push('[prod:children]', ...regionsOf(groups).keys(), '[all:vars]', 'ansible_user=audit', `ansible_ssh_private_key_file=${key}`, 'ansible_ssh_timeout=10')
  return `${out.join('\n')}\n`
}

function inventoryYaml(groups: Map<string, Host[]>, key: string): string {
  const out = ['all:', '  vars:', '    ansible_user: audit', `    ansible_ssh_private_key_file: ${key}`, '  children:', '    prod:', '      children:']
  for (const [region, names] of regionsOf(groups)) {
    out.push(`        ${region}:`, '          vars:', `            region: ${region}`, '          children:')
    for (const g of names) {
      out.push(`            ${g}:`, '              hosts:')
      for (const h of groups.get(g)!)
        out.push(`                ${h.name}: {ansible_host: ${h.address}${h.port ? `, ansible_port: ${h.port}` : ''}${h.user ? `, ansible_user: ${h.user}` : ''}}`)
    }
  }
  return `${out.join('\n')}\n`
}

function sshConfig(): string {
  const out: string[] = []
  for (let i = 1; i <= REGIONS; i++) out.push(`Host gw${i} gw${i}.example.org`, `  User gw${i}`, `  Port ${2200 + i}`)
  out.push('Host *.example.org', '  IdentityFile ~/.ssh/example_ed25519', 'Host *', '  ServerAliveInterval 30')
  return `${out.join('\n')}\n`
}

const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-bench-hosts-'))
const home = path.join(work, 'home')
mkdirSync(home)
const key = path.join(work, 'id_ed25519')
writeFileSync(key, 'not a real key: the inventory only needs the file to exist\n')
const sshCfg = path.join(work, 'ssh_config')
writeFileSync(sshCfg, sshConfig())
const env: NodeJS.ProcessEnv = {
  HOME: home,
  NO_COLOR: '1',
  ANSIBLE_HOME: path.join(work, 'ansible'),
  ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
  ANSIBLE_LOCALHOST_WARNING: 'False',
  ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
  ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
  ANSIBLE_NOCOLOR: '1',
}
const LIMIT = ['region01', 'g0002*', '&prod', '!h0000001']

interface Row {
  n: number
  name: string
  peer?: string
  bytes: number
  samples: Sample[]
}
const rows: Row[] = []
try {
  for (const n of sizes) {
    const dir = path.join(work, String(n))
    mkdirSync(dir)
    const {groups} = fleet(n)
    const files = {yaml: path.join(dir, 'hosts.yaml'), ini: path.join(dir, 'inventory.ini'), ayaml: path.join(dir, 'inventory.yml')}
    const texts = {yaml: hostsYaml(groups, key), ini: inventoryIni(groups, key), ayaml: inventoryYaml(groups, key)}
    for (const k of ['yaml', 'ini', 'ayaml'] as const) writeFileSync(files[k], texts[k])
    const hatang = (...args: string[]): string[] => [process.execPath, bin, ...args, '--ssh-config', sshCfg]
    const contenders: (Contender & {peer?: string; bytes: number})[] = [
      {name: 'hatang hosts validate hosts.yaml', command: hatang('hosts', 'validate', files.yaml), env, bytes: texts.yaml.length},
      {name: 'hatang hosts validate inventory.ini', command: hatang('hosts', 'validate', files.ini), env, peer: 'ansible-inventory --list (INI)', bytes: texts.ini.length},
      {name: 'hatang hosts validate inventory.yml', command: hatang('hosts', 'validate', files.ayaml), env, peer: 'ansible-inventory --list (YAML)', bytes: texts.ayaml.length},
      {name: `hatang hosts list hosts.yaml --limit '${LIMIT.join(',')}' --json`, command: hatang('hosts', 'list', files.yaml, '--limit', LIMIT.join(','), '--json'), env, peer: 'ansible --list-hosts (INI)', bytes: texts.yaml.length},
    ]
    if (ansibleInventory && n <= peerMax) {
      contenders.push(
        {name: 'ansible-inventory --list (INI)', command: [ansibleInventory, '-i', files.ini, '--list'], env, bytes: texts.ini.length},
        {name: 'ansible-inventory --list (YAML)', command: [ansibleInventory, '-i', files.ayaml, '--list'], env, bytes: texts.ayaml.length},
      )
    }
    if (ansible && n <= peerMax) contenders.push({name: 'ansible --list-hosts (INI)', command: [ansible, LIMIT.join(':'), '-i', files.ini, '--list-hosts'], env, bytes: texts.ini.length})
    console.error(`${n} hosts: ${contenders.length} commands, ${runs} runs each after a warm-up…`)
    const samples = alternate(contenders, runs)
    for (const c of contenders) rows.push({n, name: c.name, ...(c.peer && samples.has(c.peer) ? {peer: c.peer} : {}), bytes: c.bytes, samples: samples.get(c.name)!})
    if (!keep) rmSync(dir, {recursive: true, force: true})
  }
} finally {
  if (keep) console.error(`BENCH_KEEP: the inventories are kept in ${work}`)
  else rmSync(work, {recursive: true, force: true})
}

const wall = (r: Row) => median(r.samples.map((s) => s.wallMs))
const table = [
  '| hosts | command | input (MB) | runs | wall median (ms) | wall min–max (ms) | CPU median (ms) | peak RSS (MB) | vs peer |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => {
    const walls = r.samples.map((s) => s.wallMs)
    const peer = r.peer ? rows.find((p) => p.n === r.n && p.name === r.peer) : undefined
    const x = peer ? wall(peer) / wall(r) : 0
    const ratio = peer ? `${x >= 1 ? `${x.toFixed(1)}× faster` : `${(1 / x).toFixed(1)}× slower`} than ${r.peer}` : r.peer ? `— (${r.peer} not run above ${peerMax.toLocaleString('en')} hosts)` : '—'
    return `| ${r.n.toLocaleString('en')} | ${r.name} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.samples.length} | ${wall(r).toFixed(0)} | ${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)} | ${median(r.samples.map((s) => s.cpuMs)).toFixed(0)} | ${(Math.max(...r.samples.map((s) => s.maxRssKb)) / 1024).toFixed(0)} | ${ratio} |`
  }),
].join('\n')
const load = os.loadavg()[0]!.toFixed(1)
const body = `${table}\n\nWarm caches (page cache, Node's compile cache: one warm-up run of each command, then ${runs} alternating runs); load average ${load} at the end (the machine is shared). Hosts in groups of ${GROUP_SIZE} under ${REGIONS} regions under \`prod\`; hatang reads an ssh_config of ${REGIONS + 2} Host blocks (--ssh-config) and checks that the key file exists. Target: 100,000 hosts read and validated in ≤ 2000 ms.`
console.log(body)
appendResults('Reading inventories (npm run bench:hosts)', `${process.env.NS ? `NS=${process.env.NS} ` : ''}${process.env.RUNS ? `RUNS=${process.env.RUNS} ` : ''}npm run bench:hosts`, body)
const big = rows.filter((r) => r.n === Math.max(...sizes) && r.name.startsWith('hatang hosts validate'))
for (const r of big) console.log(`${r.n} hosts, ${r.name}: ${wall(r).toFixed(0)} ms — ${wall(r) <= 2000 ? 'within' : 'OVER'} the 2 s target`)
