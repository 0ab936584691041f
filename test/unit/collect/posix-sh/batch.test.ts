import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {BATCH_LAUNCHER, buildBatchScript, parseBatchOutput, runBatch, type BatchCommand} from '../../../../src/collect/posix-sh/batch.js'
import {shQuote} from '../../../../src/model/shell-quote.js'
import type {CommandTransport} from '../../../../src/transport/transport.js'
import {launchers, local, localVia, via} from '../../../support/launchers.js'

const cmd = (key: string, command: string, timeoutMs = 5000, platforms: string[] = ['Linux']): BatchCommand => ({key, command, timeoutMs, platforms})
/** A shell command run with the programs of `shim` first on PATH. */
const shimmed = (shim: string, command: string) => `PATH='${shim}':$PATH; export PATH; ${command}`
/** This machine through `exec`, as a transport whose output comes through a pipe of its own (`piped`) or in packets. */
const withPiped = (piped: boolean, exec: Parameters<typeof localVia>[0]): CommandTransport => (piped ? {...localVia(exec), piped: true} : localVia(exec))
const modes = [
  ['dash: forked subshells and a watchdog of its own', via(launchers.dash), launchers.dash],
  ['bash 5: forked subshells and one watchdog', via(launchers.bash), launchers.bash],
  ['sh: GNU timeout and sh -c per command', via(launchers.sh), launchers.sh],
] as const

it('runs the batch under dash where there is dash, under bash 5 where there is not, else sh', async () => {
  // the shell that reads the script names itself
  const name = {stdin: 'read -r c < /proc/self/comm; echo "$c ${BASH_VERSION:+bash}"'}
  expect((await local.exec(BATCH_LAUNCHER, name)).stdout).toBe('dash \n')
  // without dash on PATH (a shim directory of the programs the launcher needs, bash among them), bash
  const shim = mkdtempSync(path.join(tmpdir(), 'hatang-nodash-'))
  try {
    for (const tool of ['bash', 'sh', 'cat']) symlinkSync(`/bin/${tool}`, path.join(shim, tool))
    expect((await local.exec(`PATH='${shim}'; export PATH; ${BATCH_LAUNCHER}`, name)).stdout).toBe('bash bash\n')
  } finally {
    rmSync(shim, {recursive: true, force: true})
  }
})

describe.each(modes)('batch runner on a real shell (%s)', (_mode, shell, launcher) => {
  it('recovers each command output byte for byte, with exit codes and stderr', async () => {
    const r = await runBatch(
      shell,
      [
        cmd('a.one', "printf 'no newline'"),
        cmd('a.two', "printf 'two\\nlines\\n'; echo oops >&2; exit 3"),
        cmd('a.empty', 'true'),
        cmd('a.utf8', "printf 'Hạ tầng \\001\\n'"),
      ],
      10_000,
    )
    expect(r.failure).toBeUndefined()
    expect(r.outputs.get('a.one')).toMatchObject({stdout: 'no newline', exitCode: 0, ran: true, timedOut: false})
    expect(r.outputs.get('a.two')).toMatchObject({stdout: 'two\nlines\n', stderr: 'oops\n', exitCode: 3})
    expect(r.outputs.get('a.empty')).toMatchObject({stdout: '', exitCode: 0})
    expect(r.outputs.get('a.utf8')!.stdout).toBe('Hạ tầng \u0001\n')
    expect(r.header.os).toBe('Linux')
    expect(r.header.uid).toBe(process.getuid!())
    expect(Math.abs(r.header.hostTimeMs! - Date.now())).toBeLessThan(5000)
  })

  it('runs commands with LC_ALL=C and without the script on their stdin', async () => {
    const r = await runBatch(shell, [cmd('e.locale', 'echo "$LC_ALL"; cat'), cmd('e.after', 'echo still here')], 10_000)
    expect(r.outputs.get('e.locale')!.stdout).toBe('C\n')
    expect(r.outputs.get('e.after')!.stdout).toBe('still here\n')
  })

  it('says 127 for a missing tool', async () => {
    const r = await runBatch(shell, [cmd('m.x', 'no-such-tool-hatang --version')], 10_000)
    expect(r.outputs.get('m.x')!.exitCode).toBe(127)
  })

  it('cuts a hung command at its own timeout, with its pipeline, and goes on with the next', async () => {
    const t0 = Date.now()
    const r = await runBatch(shell, [cmd('h.hang', 'echo started; sleep 30.25 | cat', 1000), cmd('h.next', 'echo next')], 20_000)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(r.outputs.get('h.hang')).toMatchObject({stdout: 'started\n', timedOut: true, exitCode: null, ran: true})
    expect(r.outputs.get('h.next')).toMatchObject({stdout: 'next\n', exitCode: 0, timedOut: false})
    expect((await local.exec("ps -eo args | grep -c '^[s]leep 30.25' || true")).stdout.trim()).toBe('0')
  })

  it('kills a command that ignores SIGTERM a second later', async () => {
    const t0 = Date.now()
    const r = await runBatch(shell, [cmd('k.stubborn', "trap '' TERM; sleep 30.5", 1000), cmd('k.next', 'echo next')], 20_000)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(r.outputs.get('k.stubborn')).toMatchObject({timedOut: true, exitCode: null})
    expect(r.outputs.get('k.next')).toMatchObject({stdout: 'next\n', exitCode: 0})
    expect((await local.exec("ps -eo args | grep -c '^[s]leep 30.5' || true")).stdout.trim()).toBe('0')
  })

  it('runs commands as sh would: no arguments, XSI echo, nothing of the batch script visible', async () => {
    const r = await runBatch(
      shell,
      [
        cmd('s.sh', 'echo "[$#] [${_N:-}] [${_TO:-}] [${_OS:-}] [${_p:-}] [${_c:-}]"; echo "a\\tb"; x=1; echo "$x"; echo {a,b}'),
        cmd('s.after', 'echo "${x:-unset}"; for f in _x _r _s _now _wd; do command -v "$f" || echo "no $f"; done'),
      ],
      10_000,
    )
    expect(r.outputs.get('s.sh')!.stdout).toBe('[0] [] [] [] [] []\na\tb\n1\n{a,b}\n')
    expect(r.outputs.get('s.after')!.stdout).toBe('unset\nno _x\nno _r\nno _s\nno _now\nno _wd\n')
  })

  it('times each command from its own start: many quick ones outlasting one timeout are none of them cut', async () => {
    // 1 s timeouts; the batch runs ~2 s: a deadline kept from an earlier command would cut a later one
    const quick = Array.from({length: 40}, (_, i) => cmd(`q.c${i}`, `sleep 0.05; echo ${i}`, 1000))
    const t0 = Date.now()
    const r = await runBatch(shell, [...quick, cmd('q.hang', 'sleep 30.75', 1000), cmd('q.after', 'echo after', 1000)], 20_000)
    expect(Date.now() - t0).toBeGreaterThan(1500)
    quick.forEach((c, i) => expect(r.outputs.get(c.key), c.key).toMatchObject({stdout: `${i}\n`, exitCode: 0, timedOut: false}))
    // and a hung one after them is still cut at its own timeout
    expect(r.outputs.get('q.hang')).toMatchObject({timedOut: true, exitCode: null})
    expect(r.outputs.get('q.after')).toMatchObject({stdout: 'after\n', timedOut: false})
  })

  it("cuts a command at its own short timeout when the one before it had a long one (the watchdog looks again in time)", async () => {
    // the watchdog sleeps until what it knows is due; the hung command starts while it sleeps on the first one's 20 s
    const t0 = Date.now()
    const r = await runBatch(shell, [cmd('l.long', 'sleep 0.3; echo long', 20_000), cmd('l.hang', 'sleep 30.6', 2000), cmd('l.after', 'echo after')], 30_000)
    expect(Date.now() - t0).toBeLessThan(6000)
    expect(r.outputs.get('l.long')).toMatchObject({stdout: 'long\n', timedOut: false, exitCode: 0})
    expect(r.outputs.get('l.hang')).toMatchObject({timedOut: true, exitCode: null})
    expect(r.outputs.get('l.after')).toMatchObject({stdout: 'after\n', timedOut: false})
  })

  it('does not take a killed command for a timed-out one', async () => {
    const r = await runBatch(shell, [cmd('x.self', "exec sh -c 'kill -TERM $$; sleep 1'", 5000), cmd('x.next', 'echo next')], 10_000)
    expect(r.outputs.get('x.self')).toMatchObject({timedOut: false, exitCode: 143})
    expect(r.outputs.get('x.next')!.stdout).toBe('next\n')
  })

  it('marks commands not reached when the whole batch hits its deadline', async () => {
    const t0 = Date.now()
    const r = await runBatch(shell, [cmd('d.first', 'echo first'), cmd('d.hang', 'sleep 31.5', 60_000), cmd('d.never', 'echo never')], 1500)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(r.failure).toMatch(/timed out/)
    // nothing of the batch is left running, not even in the process group GNU timeout made
    expect((await local.exec("ps -eo args | grep -c '^[s]leep 31.5' || true")).stdout.trim()).toBe('0')
    expect(r.outputs.get('d.first')).toMatchObject({stdout: 'first\n', exitCode: 0})
    expect(r.outputs.get('d.hang')).toMatchObject({ran: true, exitCode: null, timedOut: true})
    expect(r.outputs.get('d.never')).toMatchObject({ran: false})
  })

  it("names the kernel in its header without starting uname on Linux (/proc gives it)", async () => {
    const shim = mkdtempSync(path.join(tmpdir(), 'hatang-uname-shim-'))
    const called = path.join(shim, 'called')
    writeFileSync(path.join(shim, 'uname'), `#!/bin/sh\n: > '${called}'\nexec /bin/uname "$@"\n`, {mode: 0o755})
    // as `shell` runs the batch, with the shim first on PATH
    const watched = localVia((_command, options) => local.exec(shimmed(shim, launcher), options))
    try {
      const r = await runBatch(watched, [cmd('u.name', 'uname -s')], 10_000)
      expect(r.header.os).toBe('Linux')
      expect(existsSync(called)).toBe(true) // the shim is first on PATH: the command's own uname ran it
      rmSync(called)
      const again = await runBatch(watched, [cmd('u.none', 'true')], 10_000)
      expect(again.header.os).toBe('Linux')
      expect(existsSync(called)).toBe(false)
    } finally {
      rmSync(shim, {recursive: true, force: true})
    }
  })

  it('skips commands of other platforms', async () => {
    const r = await runBatch(shell, [cmd('p.bsd', 'echo bsd', 5000, ['FreeBSD']), cmd('p.any', 'echo any', 5000, [])], 10_000)
    expect(r.skipped.has('p.bsd')).toBe(true)
    expect(r.outputs.get('p.any')!.stdout).toBe('any\n')
  })

  it('cannot be fooled by a command that prints marker-like lines', async () => {
    const r = await runBatch(
      local,
      [cmd('f.evil', "printf '\\n:deadbeef:E:f.evil:0:1:2\\n:x:B:f.next\\n'"), cmd('f.next', 'echo real')],
      10_000,
    )
    expect(r.outputs.get('f.evil')!.stdout).toBe('\n:deadbeef:E:f.evil:0:1:2\n:x:B:f.next\n')
    expect(r.outputs.get('f.next')!.stdout).toBe('real\n')
  })

  it('quotes commands so that quotes and $ in them stay literal', () => {
    const script = buildBatchScript([cmd('q.x', `echo '$HOME' "it's"`)], 'n0nce')
    expect(script).toContain(`_r q.x 5 'echo '\\''$HOME'\\'' "it'\\''s"'`)
    expect(() => buildBatchScript([cmd('bad key', 'true')], 'n')).toThrow(/invalid batch key/)
  })

  it('parses an output with no header or markers as nothing ran', () => {
    const r = parseBatchOutput('garbage', '', 'abc', [cmd('x.y', 'true')], false)
    expect(r.header).toEqual({})
    expect(r.outputs.get('x.y')!.ran).toBe(false)
  })
})

describe.each([
  ['dash', launchers.dash],
  ['bash 5', launchers.bash],
])('the output of a %s batch', (_shell, launcher) => {
  /** The local transport, the batch run by `launcher`, counting the chunks of standard output that reach the controller; `shim` first on PATH. */
  const counting = (shim?: string, piped = false) => {
    const seen = {chunks: 0}
    // the batch's own watcher is given chunks until it has seen enough, as output-capture does
    const transport = withPiped(piped, (_command, options) => {
      let watching = options?.onStdout !== undefined
      return local.exec(shim ? shimmed(shim, launcher) : launcher, {
        ...options,
        onStdout: (chunk) => {
          seen.chunks++
          if (watching && options!.onStdout!(chunk) === false) watching = false
          return true
        },
      })
    })
    return {transport, seen}
  }
  const commands = [...Array.from({length: 30}, (_, i) => cmd(`b.c${i}`, `sleep 0.02; echo ${i}; echo e${i} >&2`)), cmd('b.last', 'sleep 0.4; echo last')]
  const complete = (r: Awaited<ReturnType<typeof runBatch>>) => {
    for (let i = 0; i < 30; i++) expect(r.outputs.get(`b.c${i}`), `b.c${i}`).toMatchObject({stdout: `${i}\n`, stderr: `e${i}\n`, exitCode: 0})
    expect(r.outputs.get('b.last')).toMatchObject({stdout: 'last\n', exitCode: 0})
    expect(r.failure).toBeUndefined()
  }

  it('reaches the controller in a few blocks, not a write a command (each one an SSH packet), its header at once', async () => {
    const {transport, seen} = counting()
    const r = await runBatch(transport, commands, 20_000)
    complete(r)
    // the header, then the rest at the end in one block (less than 64 KB)
    expect(seen.chunks).toBeLessThanOrEqual(3)
    // the header came as the batch started, for the clock's reading: before the commands' ~1 s
    expect(r.headerReceivedAtMs! - r.sentAtMs).toBeLessThan(r.durationMs - 600)
  })

  it('comes as it is written, with no dd, where it reaches the controller through a pipe (this machine, a chroot)', async () => {
    // a dd that notes each start, then does what dd does
    const shim = mkdtempSync(path.join(tmpdir(), 'hatang-dd-note-'))
    const note = path.join(shim, 'started')
    writeFileSync(path.join(shim, 'dd'), `#!/bin/sh\necho dd >> '${note}'\nexec /bin/dd "$@"\n`, {mode: 0o755})
    try {
      const {transport, seen} = counting(shim, true)
      const r = await runBatch(transport, [...commands, cmd('b.hang', 'echo started; sleep 30.35', 1000), cmd('b.after', 'echo after')], 20_000)
      for (let i = 0; i < 30; i++) expect(r.outputs.get(`b.c${i}`), `b.c${i}`).toMatchObject({stdout: `${i}\n`, stderr: `e${i}\n`, exitCode: 0})
      // the watchdog cuts a command at its timeout as ever, and the next one runs
      expect(r.outputs.get('b.hang')).toMatchObject({stdout: 'started\n', timedOut: true})
      expect(r.outputs.get('b.after')).toMatchObject({stdout: 'after\n', exitCode: 0})
      expect(r.failure).toBeUndefined()
      expect(seen.chunks).toBeGreaterThan(3)
      expect(existsSync(note)).toBe(false)
      // the same shim over a transport of packets: dd carries both streams
      const packets = counting(shim)
      complete(await runBatch(packets.transport, commands, 20_000))
      expect(readFileSync(note, 'utf8')).toBe('dd\ndd\n')
    } finally {
      rmSync(shim, {recursive: true, force: true})
    }
  })

  it('keeps its watchdog where the output comes through a pipe and the host has no dd (nor GNU timeout)', async () => {
    // in a mount namespace of its own, dd and timeout are no programs (a device bound over each): without the
    // watchdog the hang would run on, as `sh -c` with no timeout
    const gone = ['dd', 'timeout'].map((t) => `mount --bind /dev/null "$(command -v ${t})"`).join(' && ')
    const transport = withPiped(true, (_command, options) =>
      local.exec(`exec unshare -m --propagation private sh -c ${shQuote(`${gone} && ! command -v dd && ! command -v timeout && exec sh -c "$0"`)} ${shQuote(launcher)}`, options),
    )
    const t0 = Date.now()
    const r = await runBatch(transport, [cmd('n.hang', 'echo started; sleep 30.45', 1000), cmd('n.after', 'echo after')], 20_000)
    expect(Date.now() - t0).toBeLessThan(10_000)
    expect(r.outputs.get('n.hang')).toMatchObject({stdout: 'started\n', timedOut: true})
    expect(r.outputs.get('n.after')).toMatchObject({stdout: 'after\n', exitCode: 0})
    expect(r.failure).toBeUndefined()
  })

  it('comes as it is written where dd takes no iflag=fullblock (cat passes it on)', async () => {
    const shim = mkdtempSync(path.join(tmpdir(), 'hatang-dd-shim-'))
    writeFileSync(path.join(shim, 'dd'), "#!/bin/sh\necho \"dd: invalid input flag: 'fullblock'\" >&2\nexit 1\n", {mode: 0o755})
    try {
      const {transport, seen} = counting(shim)
      const r = await runBatch(transport, commands, 20_000)
      complete(r)
      // as written, a command at a time (more than the blocks' few; a busy event loop may join some of them)
      expect(seen.chunks).toBeGreaterThan(3)
    } finally {
      rmSync(shim, {recursive: true, force: true})
    }
  })
})

describe.each([
  ['dash', launchers.dash],
  ['bash 5', launchers.bash],
])('a %s batch at its end', (_shell, launcher) => {
  it("ends what a command left running in the background (it would hold the batch's output): all of it comes at once", async () => {
    const t0 = Date.now()
    const r = await runBatch(via(launcher), [cmd('g.bg', 'sleep 30.9 & echo left'), cmd('g.next', 'echo next')], 20_000)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(r.failure).toBeUndefined()
    expect(r.outputs.get('g.bg')).toMatchObject({stdout: 'left\n', exitCode: 0, timedOut: false})
    expect(r.outputs.get('g.next')).toMatchObject({stdout: 'next\n', exitCode: 0})
    expect((await local.exec("ps -eo args | grep -c '^[s]leep 30.9' || true")).stdout.trim()).toBe('0')
  })

  it('ends only what is its own: a process started beside it meanwhile, by its parent, is left running', async () => {
    // the batch's parent (this process) starts another meanwhile, in a group of its own: younger than the batch
    // shell and a child of its parent, as a leftover of the batch would be, but not of its process group
    let other: ChildProcess | undefined
    const started = new Promise<void>((resolve) =>
      setTimeout(() => {
        other = spawn('sleep', ['31.05'], {detached: true, stdio: 'ignore'})
        resolve()
      }, 150),
    )
    try {
      const r = await runBatch(via(launcher), [cmd('o.first', 'sleep 0.6; echo first'), cmd('o.bg', 'sleep 30.95 & echo left')], 20_000)
      await started
      expect(r.outputs.get('o.first')).toMatchObject({stdout: 'first\n', exitCode: 0})
      expect(r.outputs.get('o.bg')).toMatchObject({stdout: 'left\n', exitCode: 0})
      expect((await local.exec("ps -eo args | grep -c '^[s]leep 30.95' || true")).stdout.trim()).toBe('0')
      expect(other!.exitCode).toBeNull()
      expect(() => process.kill(other!.pid!, 0)).not.toThrow()
    } finally {
      other?.kill('SIGKILL')
    }
  })

  it('ends the running command when the batch shell is killed (its SSH session cut, say)', async () => {
    // the command kills its own parent, the shell that runs the batch's commands, and hangs; its timeout is long
    const t0 = Date.now()
    const r = await runBatch(
      via(launcher),
      [cmd('z.first', 'echo first'), cmd('z.kill', 'read -r _st < /proc/self/stat; set -- ${_st##*) }; kill -KILL "$2"; sleep 30.65', 30_000)],
      40_000,
    )
    // dash's watchdog looks at least every 10 s whether the shell is there
    expect(Date.now() - t0).toBeLessThan(15_000)
    expect(r.failure).toMatch(/^batch shell exited/)
    // the shell's last words, if any, never a marker of the batch (its nonce: 24 hex digits)
    expect(r.failure).not.toMatch(/[0-9a-f]{24}/)
    expect(r.outputs.get('z.first')).toMatchObject({exitCode: 0})
    expect((await local.exec("ps -eo args | grep -c '^[s]leep 30.65' || true")).stdout.trim()).toBe('0')
  })
})

describe.each(modes)('the header of a batch run by another user (%s)', (_mode, _shell, launcher) => {
  // nobody (with a gid of its own, not its uid), as an unprivileged audit logs in: the header's uid is the shell's own (bash's EUID, /proc elsewhere)
  const asNobody = localVia((_command, options) => local.exec(`setpriv --reuid 65534 --regid 65533 --clear-groups sh -c ${shQuote(launcher)}`, options))

  it('names its effective uid, as id -u does', async () => {
    const r = await runBatch(asNobody, [cmd('u.id', 'id -u')], 10_000)
    expect(r.failure).toBeUndefined()
    expect(r.outputs.get('u.id')!.stdout).toBe('65534\n')
    expect(r.header.uid).toBe(65534)
  })
})

describe.each([
  ['dash', launchers.dash],
  ['bash 5', launchers.bash],
])('a %s batch where /dev/fd cannot be opened (a chroot without /proc)', (_shell, launcher) => {
  // this machine in a private mount namespace whose /proc is an empty tmpfs: /dev/fd (a link into /proc) leads nowhere
  const withoutProc = localVia((_command, options) => local.exec(`unshare -m sh -c 'mount -t tmpfs none /proc && exec sh -c "$1"' sh ${shQuote(launcher)}`, options))

  it("names the user without /proc/self/status: bash's EUID, else id -u", async () => {
    const r = await runBatch(withoutProc, [cmd('p.id', 'id -u')], 10_000)
    expect(r.header.uid).toBe(process.getuid!())
    expect(r.outputs.get('p.id')!.stdout).toBe(`${process.getuid!()}\n`)
  })

  it('runs each command under GNU timeout instead of the watchdog: a hang is still cut, and no error reaches an output', async () => {
    const t0 = Date.now()
    const r = await runBatch(withoutProc, [cmd('p.first', 'echo first; echo e >&2'), cmd('p.hang', 'sleep 30.8', 1000), cmd('p.after', 'echo after')], 20_000)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(r.outputs.get('p.first')).toMatchObject({stdout: 'first\n', stderr: 'e\n', exitCode: 0})
    expect(r.outputs.get('p.hang')).toMatchObject({timedOut: true, exitCode: null, stderr: ''})
    expect(r.outputs.get('p.after')).toMatchObject({stdout: 'after\n', stderr: '', exitCode: 0, timedOut: false})
    expect((await local.exec("ps -eo args | grep -c '^[s]leep 30.8' || true")).stdout.trim()).toBe('0')
  })
})
