#!/usr/bin/env node
import {spawn} from 'node:child_process'
import os from 'node:os'
import v8 from 'node:v8'

import {fleetChildFlags} from './fleet-flags.js'

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

const childFlags = fleetChildFlags(process.argv.slice(2), process.execArgv, process.env.NODE_OPTIONS)
if (childFlags) {
  const child = spawn(process.execPath, [...childFlags, ...process.execArgv, ...process.argv.slice(1)], {stdio: 'inherit'})
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
