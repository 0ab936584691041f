/**
 * Targets that replay a real target's answers, for `npm run bench:sweep`: a stand-in for targets that are
 * machines of their own, which one machine cannot have. Each replaying target is a real sshd (handshake,
 * key checks, channels, the whole output encrypted and sent); its session, instead of running the probes,
 * waits as long as the recorded target took and then sends what it sent, byte for byte but for the new
 * batch's nonce and the clock in its header.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {collectHost} from '../src/collect/collect-host.js'
import {SWEEP_BATCHES} from '../src/collect/sweep.js'
import {parseKnownHosts, verifyHostKey} from '../src/transport/known-hosts.js'
import {SshTransport} from '../src/transport/ssh-transport.js'
import type {CommandTransport} from '../src/transport/transport.js'
import {TEST_USER, type SshLab, type Sshd} from '../test/support/sshd.js'

/**
 * Collects one real target over SSH (the machine otherwise idle) and keeps, for each batch, what its session
 * was sent and answered and how long it took; writes the replaying session command. Returns its path and
 * the batches' durations.
 */
export async function recordTarget(lab: SshLab, real: Sshd, dir: string): Promise<{script: string; seconds: number[]}> {
  mkdirSync(dir, {mode: 0o755})
  const known = parseKnownHosts(readFileSync(lab.knownHosts, 'utf8'), lab.knownHosts).entries
  const ssh = await SshTransport.connect(
    {host: real.host, port: real.port, user: TEST_USER, identityFiles: [lab.clientKey]},
    {
      // the lab's known_hosts, read and matched as a sweep does
      verifyHostKey: (host, port, key) =>
        verifyHostKey(known, {host, port}, {blob: key.blob}).status === 'trusted' ? {ok: true} : {ok: false, kind: 'host-key-unknown', message: `${host}:${port} is not in ${lab.knownHosts}`},
    },
  )
  const seconds: number[] = []
  const recording: CommandTransport = {
    kind: ssh.kind,
    target: ssh.target,
    platform: ssh.platform,
    dialects: ssh.dialects,
    close: () => ssh.close(),
    exec: async (command, options) => {
      const t0 = performance.now()
      const r = await ssh.exec(command, options)
      const took = (performance.now() - t0) / 1000
      const script = options?.stdin ?? ''
      const nonce = /^_N=([0-9a-f]+)\n/.exec(script)?.[1]
      // the first command's key, where a batch line calls it (`…) _r KEY SECONDS 'COMMAND'`)
      const first = /\) _r ([A-Za-z0-9_.-]+) /.exec(script)?.[1]
      if (nonce && first && r.exitCode === 0) {
        writeFileSync(path.join(dir, `${first}.out`), r.stdout)
        writeFileSync(path.join(dir, `${first}.err`), r.stderr)
        writeFileSync(path.join(dir, `${first}.meta`), `${nonce} ${took.toFixed(3)}\n`)
        seconds.push(took)
      }
      return r
    },
  }
  try {
    // batched as a sweep batches a host's commands, so that each replayed batch is one the sweep sends
    const snapshot = await collectHost(recording, {hostName: 'recorded', parallelBatches: SWEEP_BATCHES})
    if (snapshot.host.status !== 'ok') throw new Error(`the recorded target is ${snapshot.host.status}: ${snapshot.host.reason}`)
  } finally {
    await recording.close()
  }
  const fifo = spawnSync('mkfifo', ['-m', '666', path.join(dir, 'idle')], {encoding: 'utf8'})
  if (fifo.status !== 0) throw new Error(`mkfifo: ${fifo.stderr}`)
  const script = path.join(dir, 'replay.sh')
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      '# A target that answers a batch with what the recorded target answered (see bench/sweep.ts).',
      `dir=${dir}`,
      // the whole script at once (a pipe read with read -d '' costs a system call a byte: ~7 ms a session)
      "script=$(</dev/stdin) 2>/dev/null || script=$(cat)",
      "re='\\) _r ([A-Za-z0-9_.-]+) '; first=; [[ $script =~ $re ]] && first=${BASH_REMATCH[1]}",
      // anything else (no recorded batch): run it for real
      'if [[ -z $first || ! -f $dir/$first.meta ]]; then printf \'%s\' "$script" | exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"; fi',
      'read -r old seconds < "$dir/$first.meta"',
      "nonce=${script%%$'\\n'*}; nonce=${nonce#_N=}",
      'IFS= read -r head < "$dir/$first.out"',
      "printf ':%s:H:%s:%s\\n' \"$nonce\" \"$EPOCHREALTIME\" \"${head#:*:H:*:}\"",
      // waits without a process of its own (sleep is one more fork and exec a session): a read that times out on a
      // FIFO no one writes to (opened read-write, so the open does not wait for a writer; mode 666: the session is the
      // test user's); a status of 128 or less is not the timeout (the FIFO could not be read): fail, never answer early
      'read -rt "$seconds" _ <> "$dir/idle"; (($? > 128)) || exit 97',
      'sed -e 1d -e "s/$old/$nonce/g" "$dir/$first.out"',
      'if [[ -s $dir/$first.err ]]; then sed -e "s/$old/$nonce/g" "$dir/$first.err" >&2; fi',
      '',
    ].join('\n'),
    {mode: 0o755},
  )
  return {script, seconds}
}

