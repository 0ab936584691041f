#!/usr/bin/env node
import {spawn} from 'node:child_process'
import {statSync} from 'node:fs'
import os from 'node:os'
import v8 from 'node:v8'

// Fleet commands keep many hosts in flight. Left alone, V8 lets its heap grow lazily toward a share of the
// machine's memory (390 MB for a 500-host sweep on a 24 GiB machine, of which ~15 MB is live after a GC),
// so they run in a child Node with a bounded old space. NODE_OPTIONS or an explicit flag wins.
// The bound grows with the files the command names (the inventory, an ssh_config): reading a big inventory
// needs room of its own, up to ~100 MB of heap per MB of YAML when the yaml library reads it (a hosts.yaml of
// 100,000 hosts with an anchor, 4.8 MB: 450 MB). A user's inventory must never run the tool out of memory.
const FLEET_COMMANDS = new Set(['sweep'])
const HEAP_MB = 160
const HEAP_MB_PER_INPUT_MB = 300
const bounded =
  process.execArgv.some((a) => a.startsWith('--max-old-space-size')) || /--max-old-space-size/.test(process.env.NODE_OPTIONS ?? '')

/** The size in MB of the regular files among these arguments (`--flag=FILE` included). */
function inputMegabytes(args) {
  let bytes = 0
  for (const arg of args) {
    const value = arg.startsWith('-') ? arg.slice(arg.indexOf('=') + 1 || arg.length) : arg
    if (!value) continue
    try {
      const st = statSync(value)
      if (st.isFile()) bytes += st.size
    } catch {
      // not a file: a flag value, a pattern, a folder to create
    }
  }
  return bytes / 2 ** 20
}

// audit keeps what it reads of every host (tens of KB each: src/runs/host-keeper.ts) beside the hosts in flight,
// so a bound on its old space would have to grow with a number of hosts not known here. Its heap grows instead
// by at most 50 % between full collections, where V8 lets a heap that allocates slowly grow ~4×: a 500-host
// audit of replayed targets peaked at 254–260 MB (two runs; 30 %: 244–252 MB, 70 %: 259–276 MB) for 28–29 ms of
// CPU a host (30 %: 30–31 ms; 70 %: 26–29 ms), ~490 MB without. A --heap-growing-percent given wins.
const GROWING_COMMANDS = new Set(['audit'])
const HEAP_GROWING_PERCENT = 50
if (GROWING_COMMANDS.has(process.argv[2] ?? '') && !process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}

if (FLEET_COMMANDS.has(process.argv[2] ?? '') && !bounded) {
  const heapMb = Math.ceil(HEAP_MB + HEAP_MB_PER_INPUT_MB * inputMegabytes(process.argv.slice(3)))
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...process.execArgv, ...process.argv.slice(1)], {stdio: 'inherit'})
  // On a terminal, Ctrl-C reaches the whole foreground group, the child included: forwarding it would count
  // twice (and a second Ctrl-C means "quit now"). Otherwise (cron, scripts, kill PID) pass every signal on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (signal !== 'SIGINT' || !process.stdin.isTTY) child.kill(signal)
    })
  }
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)))
} else {
  // @oclif/core as `npm run build` bundled it with the commands (src/cli/oclif.ts): one file to compile, not ~120
  const {execute} = await import('../dist/oclif.js')
  await execute({dir: import.meta.url})
}
