#!/usr/bin/env node
import {spawn} from 'node:child_process'
import os from 'node:os'

import {fleetChildFlags} from './fleet-flags.js'

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
