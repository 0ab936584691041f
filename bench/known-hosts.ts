/**
 * `npm run bench:known-hosts`: the controller's look-up of a host in a big known_hosts, as a sweep makes it for each
 * host (the key algorithms to offer, then the verdict on the key presented), next to OpenSSH's own look-up.
 * For each size N (NS=500,2000 by default) it writes N hosts with three keys each (Ed25519, ECDSA, RSA, made by
 * ssh-keygen) and hashes the file with `ssh-keygen -H`, as Debian's HashKnownHosts leaves a ministry's admin
 * machine, then times:
 *   hatang: one KnownHostsBook policy a host, its algorithms and its verdict, for LOOKUPS hosts on file (CPU of
 *           this process ÷ hosts; every verdict must be "trusted")
 *   OpenSSH: `ssh-keygen -F host -f known_hosts` for the same hosts, less the same command on an empty file (its
 *           start), ÷ hosts: the scan every `ssh` (and so every Ansible connection) makes of the file
 * Appends a table to bench/RESULTS.md.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {KnownHostsBook} from '../src/transport/known-hosts-book.js'
import {appendResults} from './measure.js'

const sizes = (process.env.NS ?? '500,2000').split(',').map(Number)
const lookups = Number(process.env.LOOKUPS ?? 100)
const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-bench-known-hosts-'))

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, {encoding: 'utf8'})
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error?.message ?? r.stderr}`)
  return r.stdout
}

/** A key made by ssh-keygen: `type base64` and the blob. */
function makeKey(type: string): {line: string; type: string; blob: Buffer} {
  const file = path.join(dir, `key-${type}`)
  run('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file])
  const [t, b64] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ') as [string, string]
  return {line: `${t} ${b64}`, type: t, blob: Buffer.from(b64, 'base64')}
}

const keys = ['ed25519', 'ecdsa', 'rsa'].map(makeKey)
const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

/** CPU of this process (user + system), in ms. */
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** CPU of the children this process has waited for, in ms (from /proc: utime and stime of the waited children). */
const childrenCpuMs = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100
}

const rows = ['| hosts on file | lines | hatang CPU a host (ms) | OpenSSH scan a host (ms) | hatang vs OpenSSH |', '|---:|---:|---:|---:|---:|']
try {
  for (const n of sizes) {
    const file = path.join(dir, `known_hosts.${n}`)
    const lines: string[] = []
    for (let i = 1; i <= n; i++) for (const k of keys) lines.push(`${address(i)} ${k.line}`)
    writeFileSync(file, `${lines.join('\n')}\n`)
    run('ssh-keygen', ['-H', '-f', file])
    rmSync(`${file}.old`, {force: true})
    const targets = Array.from({length: lookups}, (_, j) => address(1 + Math.floor((j * n) / lookups)))

    const book = new KnownHostsBook()
    await book.policy([file]) // read and parsed once a sweep, not timed
    const c0 = cpuMs()
    for (const host of targets) {
      const policy = await book.policy([file])
      policy.algorithms(host, 22)
      const verdict = await policy.verify(host, 22, {type: keys[0]!.type, blob: keys[0]!.blob})
      if (!verdict.ok) throw new Error(`${host}: not trusted: ${verdict.message}`)
    }
    const ours = (cpuMs() - c0) / lookups

    const empty = path.join(dir, 'empty')
    writeFileSync(empty, '')
    const scan = (f: string) => {
      const c = childrenCpuMs()
      for (const host of targets) spawnSync('ssh-keygen', ['-F', host, '-f', f])
      return (childrenCpuMs() - c) / lookups
    }
    const found = run('ssh-keygen', ['-F', targets[0]!, '-f', file])
    if (!found.includes('found: line')) throw new Error(`ssh-keygen -F finds no ${targets[0]} in ${file}`)
    const peer = Math.max(0, scan(file) - scan(empty))
    rows.push(`| ${n} | ${lines.length} | ${ours.toFixed(2)} | ${peer.toFixed(2)} | ${peer > 0 ? `${(ours / peer).toFixed(1)}×` : '—'} |`)
    console.log(rows.at(-1))
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}

const body = `${rows.join('\n')}\n\nA known_hosts of N hosts with three keys each, hashed by \`ssh-keygen -H\`. hatang: a KnownHostsBook policy a host, its key algorithms and its verdict (trusted), ${lookups} hosts spread over the file, CPU of the process ÷ hosts. OpenSSH: \`ssh-keygen -F host\` for the same hosts, its CPU less that of the same command on an empty file, ÷ hosts: the scan each \`ssh\` connection makes. Both are linear in the lines on file: a hashed line can only be matched by hashing the name with its salt.`
appendResults('known_hosts look-up (npm run bench:known-hosts)', `NS=${sizes.join(',')} npm run bench:known-hosts`, body)
console.log(`\n${body}`)
