import v8 from 'node:v8'

// audit keeps what it reads of every host (tens of KB each: src/runs/host-keeper.ts) beside the hosts in flight,
// and a sweep keeps 50 hosts' output and what is parsed of it in flight: left alone, V8 lets a heap that allocates
// slowly grow ~4× between full collections, toward a share of the machine's memory. Their heap grows instead by at
// most 50 %. A 500-host audit of replayed targets peaked at 254–260 MB (two runs; 30 %: 244–252 MB, 70 %: 259–276
// MB) for 28–29 ms of CPU a host (30 %: 30–31 ms; 70 %: 26–29 ms), ~490 MB without. A 500-host sweep peaked at
// 171 MB at 13.7–13.9 ms a host, where its child Node with a bounded old space (160 MB) and 32 MB semi-spaces, which
// this replaced, peaked at 203–204 MB for the same CPU a host and cost ~140 ms more to start (a second Node, which
// compiled its bundles: V8 refused their caches under its flags). A --heap-growing-percent given wins.
const HEAP_GROWING_PERCENT = 50

/**
 * Sets the heap growth of a fleet command (audit, sweep), as its run starts. Not before: V8 refuses a code cache made
 * under other flags, and the bundles and validators the command loads come with theirs (src/model/code-cache.ts).
 * Node 20's V8 checks the flags of the first cache it takes and not again: what the command loads later takes its
 * cache too (audit: 45 of 45 bundles); a V8 that checked again would compile those, as before this was moved here
 * from bin/run.js.
 */
export function growHeapSlowly(): void {
  if (process.execArgv.some((a) => a.startsWith('--heap-growing-percent')) || (process.env.NODE_OPTIONS ?? '').includes('--heap-growing-percent')) return
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}
