/**
 * Collects a fleet of chroots (made by scripts/make-fleet-fixture.sh) into snapshot files, one per host, as a
 * sweep would write them: NAME:GROUP:DIR[:NETNS] each. Every chroot runs in its own UTS namespace (its /etc/hostname
 * is its node name) and network namespace (NETNS, a named one with its own network cards, else an empty one),
 * without /sys. Adds one host of the hosts file that
 * is not reached (an SSH port on loopback where nothing listens), as a sweep records it.
 *
 *   node dist/scripts/collect-fleet-fixture.js --out test/fixtures/fleet --unreached-out test/fixtures/fleet-unreached web1:web:/var/tmp/hatang-fleet/web1 …
 */
import {mkdirSync, renameSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import path from 'node:path'
import {parseArgs} from 'node:util'

import {collectHost} from '../src/collect/collect-host.js'
import {sweepHost} from '../src/collect/sweep.js'
import type {HostSpec} from '../src/hosts/model.js'
import {validateSnapshot} from '../src/model/validate.js'
import {ChrootTransport} from '../src/transport/chroot-transport.js'
import {runProcess} from '../src/transport/local-transport.js'
import type {ExecOptions, ExecResult} from '../src/transport/transport.js'

/**
 * hatang's chroot transport, each command in a fresh UTS namespace named after the chroot's /etc/hostname, and in
 * the host's own network namespace (made by make-fleet-fixture.sh, with its network cards) or else a fresh one.
 */
class IsolatedChrootTransport extends ChrootTransport {
  constructor(
    target: string,
    private readonly netns?: string,
  ) {
    super(target)
  }

  override exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const script = 'hostname "$(cat "$1/etc/hostname")" && exec chroot "$1" /bin/sh -c "$2"'
    const args = ['/bin/sh', '-c', script, 'sh', this.target, command]
    return this.netns
      ? runProcess({file: 'nsenter', args: [`--net=/run/netns/${this.netns}`, 'unshare', '--uts', '--', ...args]}, options)
      : runProcess({file: 'unshare', args: ['--uts', '--net', '--', ...args]}, options)
  }
}

const {values, positionals} = parseArgs({
  options: {out: {type: 'string', default: 'test/fixtures/fleet'}, 'unreached-out': {type: 'string', default: 'test/fixtures/fleet-unreached'}},
  allowPositionals: true,
})
for (const dir of [values.out!, values['unreached-out']!]) mkdirSync(dir, {recursive: true})

function write(name: string, snapshot: unknown, dir = values.out!) {
  validateSnapshot(snapshot, name)
  const file = path.join(dir, `${name}.json`)
  writeFileSync(`${file}.tmp`, `${JSON.stringify(snapshot, null, 2)}\n`)
  renameSync(`${file}.tmp`, file)
}

for (const spec of positionals) {
  const [name, group, dir, netns] = spec.split(':') as [string, string, string, string | undefined]
  const snapshot = await collectHost(new IsolatedChrootTransport(dir, netns), {hostName: name})
  snapshot.host = {...snapshot.host, name, groups: [group], tags: []}
  write(name, snapshot)
  console.log(`${name}: ${snapshot.host.status}${snapshot.host.reason ? ` (${snapshot.host.reason})` : ''}`)
}

// a host of the hosts file that is not reached: a loopback port that was just free
const port = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const {port: p} = server.address() as {port: number}
    server.close(() => resolve(p))
  })
})
const host: HostSpec = {
  name: 'web4',
  address: '127.0.0.1',
  port,
  identityFiles: [],
  knownHostsFiles: [],
  sudo: false,
  transport: 'ssh',
  groups: ['web'],
  tags: [],
  connectTimeoutS: 5,
  source: {file: 'hosts.yaml', line: 1, column: 1},
}
const outcome = await sweepHost(host, {})
write(host.name, outcome.snapshot, values['unreached-out'])
console.log(`${host.name}: ${outcome.status} (${outcome.reason ?? ''})`)
