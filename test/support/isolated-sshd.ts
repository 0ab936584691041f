import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import net from 'node:net'

import type {SshLab, SshdOptions} from './sshd.js'

/**
 * A lab host with a machine state of its own, this machine's left as it is: every connection to 127.0.0.1:port is
 * served by an `sshd -i` (inetd mode: the connection is its stdin and stdout) started inside new network and mount
 * namespaces, after `setup` (a shell script run as root in them) has changed what it likes there — sysctls of the
 * new network namespace, bind mounts over /etc in the private mount namespace. The socket was made in this
 * machine's namespace, so the controller reaches it on loopback as any other lab host; nothing done in the
 * namespaces leaks out of them, and they end with the connection.
 */
export interface IsolatedSshd {
  name: string
  port: number
  host: '127.0.0.1'
  hostKeyPub: string
  /** stderr of every connection's sshd and setup, for diagnosing a failing test. */
  log: () => string
  stop: () => Promise<void>
}

export async function startIsolatedSshd(lab: SshLab, name: string, setup: string, options: SshdOptions = {}): Promise<IsolatedSshd> {
  const {port, configFile, hostKeyPub} = await lab.configure(name, options)
  const children = new Set<ChildProcess>()
  let log = ''
  const script = `set -e\n${setup}\nexec /usr/sbin/sshd -i -e -f "$0"`
  const server = net.createServer({pauseOnConnect: true}, (socket) => {
    // the child gets its own copy of the connection's descriptor; ours is closed once it has it
    const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c', script, configFile], {stdio: [socket, socket, 'pipe']})
    children.add(child)
    child.stderr!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000)
    })
    child.once('spawn', () => socket.destroy())
    child.once('error', () => socket.destroy())
    child.once('exit', () => children.delete(child))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    // the sessions each sshd -i started (as the test user, in its namespaces), then the sshd themselves
    spawnSync('pkill', ['-KILL', '-f', `sshd.*${configFile}`])
    for (const child of children) child.kill('SIGKILL')
  }
  const sshd: IsolatedSshd = {name, port, host: '127.0.0.1', hostKeyPub, log: () => log, stop}
  lab.adopt(sshd)
  return sshd
}
