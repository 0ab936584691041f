import {statSync} from 'node:fs'

// Fleet commands keep many hosts in flight. Left alone, V8 lets its heap grow lazily toward a share of the
// machine's memory (390 MB for a 500-host sweep on a 24 GiB machine, of which ~15 MB is live after a GC),
// so they run in a child Node with a bounded old space. NODE_OPTIONS or an explicit flag wins.
// The bound grows with the files the command names (the inventory, an ssh_config): reading a big inventory
// needs room of its own, up to ~100 MB of heap per MB of YAML when the yaml library reads it (a hosts.yaml of
// 100,000 hosts with an anchor, 4.8 MB: 450 MB). A user's inventory must never run the tool out of memory.
const FLEET_COMMANDS = new Set(['sweep'])
const HEAP_MB = 160
const HEAP_MB_PER_INPUT_MB = 300
// Its young generation gets semi-spaces of 32 MB instead of V8's 16: each host's output and what is parsed of it
// die young, but with 50 hosts in flight a scavenge of 16 MB finds much of it still alive and copies it. 500
// replayed targets, two runs each, alternating: 12.0–12.1 s at 19–20 ms of CPU a host, against 12.7–12.9 s at 21 ms
// (peak RSS 208–214 MB against 171–181 MB); with 64 MB, 18 s at 41–43 ms (the bounded old space then fills).
const SEMI_SPACE_MB = 32

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

/**
 * The V8 flags of the child Node a fleet command runs in (`args`: the command and its arguments), or undefined when
 * it runs in this process: another command, or an old-space bound given already (a flag of this Node or
 * NODE_OPTIONS). A semi-space size given that way is inherited, and not set again.
 */
export function fleetChildFlags(args, execArgv, nodeOptions = '') {
  const given = (flag) => execArgv.some((a) => a.startsWith(flag)) || nodeOptions.includes(flag)
  if (!FLEET_COMMANDS.has(args[0] ?? '') || given('--max-old-space-size')) return undefined
  const heapMb = Math.ceil(HEAP_MB + HEAP_MB_PER_INPUT_MB * inputMegabytes(args.slice(1)))
  return [`--max-old-space-size=${heapMb}`, ...(given('--max-semi-space-size') ? [] : [`--max-semi-space-size=${SEMI_SPACE_MB}`])]
}
