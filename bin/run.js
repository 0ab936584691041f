#!/usr/bin/env node
import {spawn} from 'node:child_process'
import os from 'node:os'

// Fleet commands keep many hosts in flight. Left alone, V8 lets its heap grow lazily toward a share of the
// machine's memory (390 MB for a 500-host sweep on a 24 GiB machine, of which ~15 MB is live after a GC),
// so they run in a child Node with a bounded old space. NODE_OPTIONS or an explicit flag wins.
const FLEET_COMMANDS = new Set(['sweep'])
const HEAP_MB = 160
const bounded =
  process.execArgv.some((a) => a.startsWith('--max-old-space-size')) || /--max-old-space-size/.test(process.env.NODE_OPTIONS ?? '')

if (FLEET_COMMANDS.has(process.argv[2] ?? '') && !bounded) {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ...process.execArgv, ...process.argv.slice(1)], {stdio: 'inherit'})
  // On a terminal, Ctrl-C reaches the whole foreground group, the child included: forwarding it would count
  // twice (and a second Ctrl-C means "quit now"). Otherwise (cron, scripts, kill PID) pass every signal on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (signal !== 'SIGINT' || !process.stdin.isTTY) child.kill(signal)
    })
  }
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)))
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
