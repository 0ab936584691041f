import {partsCommand, splitParts} from './kit/command-parts.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, notInstalled, succeeded} from './kit/probe-helpers.js'
import {engineListCommand, parseEngine} from './containers-engine.js'
import {CONTAINER_RUNTIMES, containersSection, type ContainersData, type EngineData} from '../src/model/sections/containers.js'

const SOCKETS = [...new Set(CONTAINER_RUNTIMES.map((r) => r.socket))]
const DOCKER_SOCKET = CONTAINER_RUNTIMES[0].socket

/** The parts of the containers command (kit/command-parts.ts). */
export const CONTAINERS_PARTS = {
  runtimes: [
    // the PATH searched by hand: `command -v` in $(…) would fork once per runtime
    `ifs=$IFS; for t in ${CONTAINER_RUNTIMES.map((r) => r.name).join(' ')}; do IFS=:; for d in $PATH; do if [ -f "$d/$t" ] && [ -x "$d/$t" ]; then echo "!bin $t $d/$t"; break; fi; done; IFS=$ifs; done`,
    `for s in ${SOCKETS.join(' ')}; do [ -S "$s" ] || continue; if [ -r "$s" ] && [ -w "$s" ]; then echo "!socket rw $s"; else echo "!socket denied $s"; fi; done`,
    'return 0',
  ].join('\n'),
  /** docker talks to its daemon's socket: absent, no daemon; not writable, not this user's (root or the docker group). */
  docker: [
    'command -v docker >/dev/null 2>&1 || return 127',
    `[ -S ${DOCKER_SOCKET} ] || { echo '!no-daemon'; echo 'no socket ${DOCKER_SOCKET}'; return 0; }`,
    `{ [ -r ${DOCKER_SOCKET} ] && [ -w ${DOCKER_SOCKET} ]; } || { echo '!needs-root'; return 0; }`,
    engineListCommand('docker'),
  ].join('\n'),
  /** podman has no daemon: as root it lists the system's containers; another user would see only their own. */
  podman: ['command -v podman >/dev/null 2>&1 || return 127', `[ "$(id -u)" = 0 ] || { echo '!needs-root'; return 0; }`, engineListCommand('podman')].join('\n'),
} as const

/** Parses the `runtimes` command: `!bin NAME PATH` and `!socket rw|denied PATH` lines. */
export function parseRuntimes(text: string): Pick<ContainersData, 'runtimes' | 'sockets'> {
  const out: Pick<ContainersData, 'runtimes' | 'sockets'> = {runtimes: [], sockets: []}
  for (const line of lines(text)) {
    const bin = /^!bin (\S+) (.+)$/.exec(line)
    const socket = /^!socket (rw|denied) (.+)$/.exec(line)
    if (bin) out.runtimes.push({name: bin[1]!, path: bin[2]!})
    else if (socket) out.sockets.push({path: socket[2]!, usable: socket[1] === 'rw'})
  }
  return out
}

export const containersProbe = defineProbe({
  section: containersSection,
  platforms: ['Linux'],
  commands: {containers: partsCommand(CONTAINERS_PARTS)},
  timeoutMs: 30_000,
  interpret(outputs) {
    const out = splitParts(outputs.containers, ['runtimes', 'docker', 'podman'])
    const fail = failure(out.runtimes, 'container runtimes')
    if (fail) return fail
    const data: ContainersData = {...parseRuntimes(out.runtimes!.stdout), engines: []}
    const reasons: string[] = []
    for (const name of ['docker', 'podman'] as const) {
      const o = out[name]
      if (notInstalled(o)) continue
      if (!succeeded(o)) {
        reasons.push(failure(o, name)?.reason ?? name)
        continue
      }
      const engine: EngineData = parseEngine(name, o.stdout)
      data.engines.push(engine)
      if (engine.state === 'needs-root') reasons.push(`${name}: needs root`)
      if (engine.truncated) reasons.push(`${name}: more containers than were inspected`)
    }
    // containerd's own containers (nerdctl, ctr, Kubernetes) are not listed: where its socket is up and neither
    // docker nor podman answered for it, the lists are unknown
    const containerd = data.sockets.some((s) => s.path === '/run/containerd/containerd.sock')
    if (containerd && !data.engines.some((e) => e.state === 'answered')) reasons.push('containerd: its containers are not listed')
    // the lists are known only where every engine present answered or has no daemon (so runs nothing); else unknown
    const answered = data.engines.filter((e) => e.state === 'answered')
    if (reasons.length === 0) {
      data.containers = answered.flatMap((e) => e.containers ?? [])
      data.images = answered.flatMap((e) => e.images ?? [])
      data.running = data.containers.filter((c) => c.state === 'running').length
    }
    return reasons.length > 0 ? {status: 'partial', reason: reasons.join('; '), data} : {status: 'ok', data}
  },
})
