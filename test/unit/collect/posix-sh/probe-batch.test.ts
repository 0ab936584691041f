import {describe, expect, it} from 'vitest'

import {probes} from '../../../../inventory/index.js'
import {defineProbe, type AnyProbe} from '../../../../inventory/kit/probe.js'
import {runBatch} from '../../../../src/collect/posix-sh/batch.js'
import {expandGroups, groupKey, probeBatchCommands} from '../../../../src/collect/posix-sh/probe-batch.js'
import {osSection} from '../../../../src/model/sections/os.js'
import {LocalTransport} from '../../../../src/transport/local-transport.js'
import type {CommandTransport} from '../../../../src/transport/transport.js'
import {launchers, local, via} from '../../../support/launchers.js'
import {alonePart} from '../../../support/parts.js'

/** Where there is no dash: bash 5. */
const bash = via(launchers.bash)
/** Dash started as `sh` (the launcher names dash `dash`): no watchdog, so the group runs under GNU timeout and sh -c. */
const sh = via(launchers.sh)

const grouped = (commands: Record<string, string>, timeoutMs = 1000): AnyProbe =>
  defineProbe({section: osSection, platforms: ['Linux'], grouped: true, timeoutMs, commands, interpret: () => ({status: 'ok', data: {}}) as never}) as AnyProbe

/** Runs probes' commands in one batch as a collection does, split back by command. */
async function run(shell: CommandTransport, ps: readonly AnyProbe[], deadlineMs = 20_000) {
  const batch = await runBatch(shell, ps.flatMap((p) => probeBatchCommands(p, 10_000)), deadlineMs)
  expandGroups(ps, batch)
  return batch
}

describe('grouped probes: their commands sent as one command of parts', () => {
  it('refuses a command that would end the group (exit, exec), and follow-up commands', () => {
    expect(() => grouped({a: 'echo a; exit 3'})).toThrow(/never exit or exec/)
    expect(() => grouped({a: 'exec cat /etc/hostname'})).toThrow(/never exit or exec/)
    expect(() => grouped({a: "awk 'BEGIN { exit 1 }'; return 0"})).not.toThrow()
    expect(() =>
      defineProbe({section: osSection, platforms: ['Linux'], grouped: true, commands: {a: 'echo a'}, followUp: () => undefined, interpret: () => ({status: 'ok', data: {}}) as never}),
    ).toThrow(/no follow-up/)
  })

  it('sends one command of parts, each with the timeout of a command', () => {
    const p = grouped({a: 'echo a', b: 'echo b', c: 'echo c'}, 2000)
    expect(probeBatchCommands(p, 10_000)).toEqual([expect.objectContaining({key: groupKey(p), timeoutMs: 2000, parts: 3, platforms: ['Linux']})])
  })

  describe.each([
    ['dash', local],
    ['bash 5', bash],
    ['sh', sh],
  ])('on a real shell (%s)', (mode, shell) => {
    it('gives each command its own output, stderr and status, as if it had run alone; the group is timed once', async () => {
      // the first part takes long enough to show in dash's clock (centiseconds)
      const p = grouped({one: "sleep 0.05; printf 'no newline'", two: "echo two; echo oops >&2; return 3", three: 'x=3; echo "$x"'})
      const b = await run(shell, [p])
      expect(b.outputs.get('os.one')).toMatchObject({stdout: 'no newline', stderr: '', exitCode: 0, ran: true, timedOut: false})
      expect(b.outputs.get('os.two')).toMatchObject({stdout: 'two\n', stderr: 'oops\n', exitCode: 3, ran: true})
      expect(b.outputs.get('os.three')).toMatchObject({stdout: '3\n', exitCode: 0})
      expect(b.outputs.has(groupKey(p))).toBe(false)
      expect(b.outputs.get('os.one')!.durationMs).toBeGreaterThan(0)
      expect([b.outputs.get('os.two')!.durationMs, b.outputs.get('os.three')!.durationMs]).toEqual([0, 0])
    })

    // dash and bash 5: each part is timed from its own start, by the watchdog (two slow parts together outlast one
    // timeout and are not cut; the hung one is cut a second after it started); sh: GNU timeout cuts the group at the
    // parts' sum
    it(`cuts a hung command (${mode === 'sh' ? 'at the sum of the timeouts' : 'at its own timeout'}): the ones before it kept, the ones after it not run`, async () => {
      const t0 = Date.now()
      const p = grouped({slow1: 'sleep 0.7; echo slow1', slow2: 'sleep 0.7; echo slow2', hang: 'echo started; sleep 30.8', after: 'echo after'}, 1000)
      const b = await run(shell, [p])
      const took = Date.now() - t0
      if (mode === 'sh') expect(took).toBeGreaterThanOrEqual(3900)
      else expect(took).toBeLessThan(3600)
      expect(took).toBeLessThan(10_000)
      expect(b.outputs.get('os.slow1')).toMatchObject({stdout: 'slow1\n', exitCode: 0, ran: true, timedOut: false})
      expect(b.outputs.get('os.slow2')).toMatchObject({stdout: 'slow2\n', exitCode: 0, ran: true, timedOut: false})
      expect(b.outputs.get('os.hang')).toMatchObject({stdout: 'started\n', exitCode: null, timedOut: true, ran: true})
      expect(b.outputs.get('os.after')).toMatchObject({stdout: '', ran: false})
      expect((await local.exec("ps -eo args | grep -c '^[s]leep 30.8' || true")).stdout.trim()).toBe('0')
    })

    it('gives a part no way to the watchdog: fd 4 is closed in it', async () => {
      const b = await run(shell, [grouped({fd: 'if { true >&4; } 2>/dev/null; then echo open; else echo closed; fi'})])
      expect(b.outputs.get('os.fd')).toMatchObject({stdout: 'closed\n', exitCode: 0})
    })
  })

  it("skips every command of a group whose platform is not the host's", async () => {
    const p = defineProbe({section: osSection, platforms: ['FreeBSD'], grouped: true, commands: {a: 'echo a', b: 'echo b'}, interpret: () => ({status: 'ok', data: {}}) as never}) as AnyProbe
    const b = await run(local, [p])
    expect([...b.skipped].sort()).toEqual(['os.a', 'os.b'])
  })

  // Each command of a grouped probe runs in the shell the ones before it ran in: what one leaves (a variable, the
  // folder, shell options) must change nothing of what the next prints. Each alone, in a function of a fresh
  // subshell, against the whole group, on this machine; the commands whose output changes by the moment (time,
  // counters) are compared by status and line count.
  const MOVING = new Set(['os.uptime', 'os.load', 'os.time', 'cpu.cpuinfo', 'memory.meminfo', 'filesystems.usage', 'services.units'])
  // the sshd probe counts the root sshd listeners in /proc, which the suite's own test servers start and stop
  // meanwhile: it runs with a /proc of its own (a PID namespace), where there is none
  const ownProc = new LocalTransport(['unshare', '-p', '-m', '--fork', '--mount-proc'])
  const SEES_PROCESSES = new Set(['sshd'])
  for (const probe of probes.filter((p) => p.grouped && p.platforms.includes('Linux'))) {
    it(`${probe.id}: each command prints in the group what it prints alone`, async () => {
      const shell = SEES_PROCESSES.has(probe.id) ? ownProc : local
      const together = await run(shell, [probe])
      const alone = await runBatch(
        shell,
        Object.entries(probe.commands).map(([name, command]) => ({key: `${probe.id}.${name}`, command: alonePart(command), timeoutMs: 10_000, platforms: probe.platforms})),
        60_000,
      )
      for (const name of Object.keys(probe.commands)) {
        const key = `${probe.id}.${name}`
        const [t, a] = [together.outputs.get(key)!, alone.outputs.get(key)!]
        expect(t.exitCode, key).toBe(a.exitCode)
        if (MOVING.has(key)) expect(t.stdout.split('\n').length, key).toBe(a.stdout.split('\n').length)
        else expect(t.stdout, key).toBe(a.stdout)
        expect(t.stderr, key).toBe(a.stderr)
      }
    })
  }
})
