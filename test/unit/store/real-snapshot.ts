import {collectHost} from '../../../src/collect/collect-host.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'

let cached: Promise<Snapshot> | undefined

/** A real snapshot of this machine (shell probes, no systeminformation), collected once per test file. */
export function realSnapshot(): Promise<Snapshot> {
  cached ??= collectHost(new LocalTransport(), {})
  return cached
}

/** A value as JSON gives it back: what a store returns (JSON has no -0, which a clock skew of -0.4 ms rounds to). */
export const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T
