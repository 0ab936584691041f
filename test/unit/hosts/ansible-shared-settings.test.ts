import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {SharedSettings, varsKey} from '../../../src/hosts/ansible-tree.js'
import {settingsFromAnsibleVars} from '../../../src/hosts/ansible-vars.js'

/** What settingsFromAnsibleVars gives, or the error it throws. */
function outcome(f: () => unknown): unknown {
  try {
    return {ok: f()}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

describe('settings shared by the hosts of an Ansible group', () => {
  it('are what each host gets on its own, whatever the variables of the host and of its groups', () => {
    const groupVars = fc.record(
      {
        ansible_user: fc.constantFrom('audit', '', '{{ who }}'),
        ansible_ssh_user: fc.constant('g'),
        ansible_host: fc.constant('group-host'),
        ansible_ssh_host: fc.constantFrom('gsh', '{{ t }}'),
        ansible_ssh_common_args: fc.constantFrom('-o HostName=%h.example.org', '-o User=x', '-l other', '-o HostName=fixed', '-J jump', '-o StrictHostKeyChecking=no', ''),
        ansible_port: fc.constantFrom(2200, 'x'),
        ansible_connection: fc.constantFrom('local', 'ssh'),
        ansible_ssh_private_key_file: fc.constant('~/.ssh/k'),
      },
      {requiredKeys: []},
    )
    const ownVars = fc.record(
      {
        ansible_host: fc.constantFrom('10.0.0.1', '', '{{ h }}', 'a$&b%h', 5, 'x\u0000y'),
        ansible_ssh_host: fc.constantFrom('ssh-host', '$1'),
        ansible_user: fc.constantFrom('u1', '', 'a$1', ' '),
        ansible_ssh_user: fc.constant('su'),
        ansible_port: fc.constantFrom(22, 2222, 'bad'),
        ansible_ssh_extra_args: fc.constantFrom('-o User=e', '-o HostName=%h'),
        role: fc.constantFrom('web', 7, null),
      },
      {requiredKeys: []},
    )
    const shared = new SharedSettings()
    fc.assert(
      fc.property(groupVars, ownVars, fc.constantFrom('h1', 'h2'), (group, own, name) => {
        const vars = Object.assign(Object.create(group) as Record<string, unknown>, own)
        expect(outcome(() => shared.settings(varsKey(group, 'g'), name, own, () => vars))).toStrictEqual(outcome(() => settingsFromAnsibleVars(name, vars)))
      }),
      {numRuns: 3000},
    )
  })
})
