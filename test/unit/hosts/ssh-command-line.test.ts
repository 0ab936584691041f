import {spawnSync} from 'node:child_process'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {AnsibleVarError, settingsFromAnsibleVars} from '../../../src/hosts/ansible-vars.js'
import {shlexSplit} from '../../../src/hosts/shlex-split.js'

/** Python's own shlex.split on each text (one python process for all): the words, or null where it raises. */
function pythonShlex(texts: string[], comments: boolean): (string[] | null)[] {
  const program = `import json, shlex, sys
out = []
for t in json.load(sys.stdin):
    try: out.append(shlex.split(t, comments=${comments ? 'True' : 'False'}))
    except ValueError: out.append(None)
print(json.dumps(out))`
  const r = spawnSync('python3', ['-c', program], {input: JSON.stringify(texts), encoding: 'utf8'})
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as (string[] | null)[]
}

const ours = (t: string, comments: boolean): string[] | null => {
  try {
    return shlexSplit(t, {comments})
  } catch {
    return null
  }
}

describe('shlexSplit, compared with Python shlex.split', () => {
  const texts = fc.sample(fc.string({unit: fc.constantFrom('a', 'b', ' ', '\t', '"', "'", '\\', '#', '=', '-', '\n'), maxLength: 24}), {numRuns: 600, seed: 11})
  for (const comments of [false, true])
    it(`gives the same words or the same refusal (comments ${comments ? 'on, as for INI host lines' : 'off, as for ssh args'})`, () => {
      const theirs = pythonShlex(texts, comments)
      texts.forEach((t, i) => expect(ours(t, comments), JSON.stringify(t)).toEqual(theirs[i]))
    })
})

/** ssh's own verdict on these arguments: does it stop, and with what settings (ssh -G, no connection). */
function sshG(args: string[]): {ok: boolean; port?: string; user?: string; hostname?: string; connecttimeout?: string} {
  const r = spawnSync('ssh', ['-G', '-F', '/dev/null', ...args, 'dest.example.org'], {encoding: 'utf8'})
  if (r.status !== 0) return {ok: false}
  const get = (k: string) => new RegExp(`^${k} (.*)$`, 'm').exec(r.stdout)?.[1]
  return {ok: true, port: get('port'), user: get('user'), hostname: get('hostname'), connecttimeout: get('connecttimeout')}
}

describe('ssh arguments: hatang stops where ssh stops, and otherwise agrees', () => {
  const cases = [
    '-p 2222',
    '-p0',
    '-p 70000',
    '-o Port=abc',
    '-o Port=1 -o Port=abc',
    '-o "Port 2200" -p 2300',
    '-oPort=2201',
    '-o User=u1 -l u2',
    '-l u2 -o User=u1',
    '-o ConnectTimeout=1m30s',
    '-o ConnectTimeout=-1',
    '-J a.example.org -J b.example.org',
    '-o ProxyJump=a.example.org -J b.example.org',
    '-J b.example.org -o ProxyJump=a.example.org',
    '-o ProxyCommand="nc %h %p" -J b.example.org',
    '-o ProxyJump=bad:x:y',
    '-o HostName=%h.internal',
    '-qCv -o ServerAliveInterval=5',
    '-Z',
    '-o',
  ]
  for (const args of cases)
    it(args, () => {
      const words = shlexSplit(args)
      // the ConnectTimeout Ansible always passes before the inventory's args
      const ssh = sshG(['-o', 'ConnectTimeout=10', ...words])
      let settings
      try {
        settings = settingsFromAnsibleVars('dest.example.org', {ansible_ssh_common_args: args}).settings
      } catch (error) {
        expect(error).toBeInstanceOf(AnsibleVarError)
        expect(ssh.ok, `ssh accepts '${args}', hatang refused it: ${(error as Error).message}`).toBe(false)
        return
      }
      expect(ssh.ok, `ssh stops at '${args}', hatang accepted it`).toBe(true)
      expect(String(settings.port ?? 22)).toBe(ssh.port)
      if (settings.user) expect(settings.user).toBe(ssh.user)
      expect(settings.address ?? 'dest.example.org').toBe(ssh.hostname)
      expect(String(settings.connectTimeoutS ?? 10)).toBe(ssh.connecttimeout)
    })
})
