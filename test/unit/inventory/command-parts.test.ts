import {describe, expect, it} from 'vitest'

import {partsCommand, splitParts} from '../../../inventory/kit/command-parts.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'

/** The parts of one command, run by a real shell as a batch runs a command (sh -c), split back. */
async function run(parts: Record<string, string>, timeoutMs = 10_000) {
  const r = await new LocalTransport().exec(`exec sh -c '${partsCommand(parts).replace(/'/g, `'\\''`)}'`, {timeoutMs})
  return splitParts({...r, ran: true}, Object.keys(parts))
}

describe('one command of several parts', () => {
  it('gives each part its own stdout, stderr and exit status, as if sent alone; a failing part loses none of the others', async () => {
    const out = await run({
      a: 'echo one; echo two',
      b: 'echo half-line; printf x; echo oops >&2; return 3',
      c: 'command -v no-such-tool-here >/dev/null 2>&1 || return 127; echo never',
      d: 'false',
      e: 'printf "last\\n"; echo warn >&2',
    })
    expect(out.a).toMatchObject({stdout: 'one\ntwo\n', stderr: '', exitCode: 0, ran: true, timedOut: false})
    expect(out.b).toMatchObject({stdout: 'half-line\nx', stderr: 'oops\n', exitCode: 3})
    expect(out.c).toMatchObject({stdout: '', exitCode: 127})
    expect(out.d).toMatchObject({stdout: '', exitCode: 1})
    expect(out.e).toMatchObject({stdout: 'last\n', stderr: 'warn\n', exitCode: 0})
  })

  it('refuses a part that would end the others (exit, exec), not an awk program\'s own exit', () => {
    expect(() => partsCommand({a: 'echo x; exit 3'})).toThrow(/part a: ends with return/)
    expect(() => partsCommand({a: 'exec apt list'})).toThrow(/never exit or exec/)
    expect(() => partsCommand({a: "awk '{ exit }' /etc/passwd; return 0"})).not.toThrow()
  })

  it('a part cut by the deadline is unfinished (timedOut), the ones after it never ran', async () => {
    const out = await run({a: 'echo done', b: 'echo started; sleep 5', c: 'echo never'}, 600)
    expect(out.a).toMatchObject({stdout: 'done\n', exitCode: 0})
    expect(out.b).toMatchObject({stdout: 'started\n', exitCode: null, timedOut: true, ran: true})
    expect(out.c).toMatchObject({ran: false})
  })

  it('a command that never ran: no part ran', () => {
    const out = splitParts({stdout: '', stderr: '', exitCode: null, timedOut: false, durationMs: 0, ran: false}, ['a', 'b'])
    expect(out.a?.ran).toBe(false)
    expect(out.b?.ran).toBe(false)
    expect(splitParts(undefined, ['a']).a).toBeUndefined()
  })
})

describe('the review sections of issue 15 cost one shell each on the target', () => {
  it('each sends one command (its parts inside it)', async () => {
    const {probes} = await import('../../../inventory/index.js')
    const ids = ['scheduled', 'logins', 'passwordPolicy', 'access', 'certificates', 'storage', 'containers', 'sources', 'boot']
    const counts = Object.fromEntries(probes.filter((p) => ids.includes(p.id)).map((p) => [p.id, Object.keys(p.commands).length]))
    expect(counts).toEqual(Object.fromEntries(ids.map((id) => [id, 1])))
  })
})
