import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {expandHostRange, parseHostPattern} from '../../../src/hosts/ansible-range.js'
import {jumpFromProxyCommand} from '../../../src/hosts/ssh-command-line.js'
import {readInventory} from '../../../src/hosts/load-inventory.js'
import type {Inventory} from '../../../src/hosts/model.js'

const FIX = path.resolve(import.meta.dirname, '../../fixtures/hosts')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hatang-ansible-'))

interface AnsibleList {
  _meta: {hostvars: Record<string, Record<string, unknown>>}
  [group: string]: {hosts?: string[]; children?: string[]} | AnsibleList['_meta']
}

/** What the real Ansible makes of an inventory. */
function ansibleInventory(file: string): AnsibleList {
  const r = spawnSync('ansible-inventory', ['-i', file, '--list'], {
    encoding: 'utf8',
    env: {...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true', ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_NOCOLOR: '1'},
  })
  if (r.status !== 0) throw new Error(`ansible-inventory failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as AnsibleList
}

const truthy = (v: unknown) => v === true || (typeof v === 'string' && ['yes', 'true', 'on', '1'].includes(v.toLowerCase()))
const home = os.homedir()

/** Compares our import with Ansible's: hosts, direct group members, children, and connection settings. */
function compareWithAnsible(file: string): Inventory {
  const ours = readInventory(file, {sshConfig: null})
  expect(ours.errors.map((e) => e.format())).toEqual([])
  const inv = ours.inventory!
  const theirs = ansibleInventory(file)
  const hostvars = theirs._meta.hostvars
  const groups = Object.entries(theirs).filter(([g]) => g !== '_meta' && g !== 'all') as [string, {hosts?: string[]; children?: string[]}][]
  // hostvars lists only hosts that have variables: the hosts are those of the groups
  const theirHosts = new Set([...Object.keys(hostvars), ...groups.flatMap(([, v]) => v.hosts ?? [])])
  expect(inv.hosts.map((h) => h.name).sort()).toEqual([...theirHosts].sort())
  const theirGroups = Object.fromEntries(
    groups.filter(([g, v]) => g !== 'ungrouped' || (v.hosts ?? []).length > 0).map(([g, v]) => [g, {hosts: [...(v.hosts ?? [])].sort(), children: [...(v.children ?? [])].sort()}]),
  )
  // ansible-inventory --list leaves out groups with neither hosts nor children
  const ourGroups = Object.fromEntries(Object.entries(inv.groups).filter(([, v]) => v.hosts.length + v.children.length > 0).map(([g, v]) => [g, {hosts: [...v.hosts].sort(), children: [...v.children].sort()}]))
  expect(ourGroups).toEqual(theirGroups)
  for (const h of inv.hosts) {
    const v = hostvars[h.name] ?? {}
    // of ansible_X and ansible_ssh_X, Ansible's ssh connection takes the latter (the last name of its list)
    const expected = {
      address: String(v.ansible_ssh_host ?? v.ansible_host ?? h.name),
      port: Number(v.ansible_ssh_port ?? v.ansible_port ?? 22),
      user: v.ansible_ssh_user ?? v.ansible_user,
      identityFiles: v.ansible_ssh_private_key_file ? [String(v.ansible_ssh_private_key_file).replace(/^~\//, `${home}/`)] : [],
      sudo: truthy(v.ansible_become),
      transport: v.ansible_connection === 'local' ? 'local' : 'ssh',
    }
    expect({address: h.address, port: h.port, user: h.user, identityFiles: h.identityFiles, sudo: h.sudo, transport: h.transport}, h.name).toEqual(expected)
  }
  return inv
}

describe('Ansible inventories, compared with ansible-inventory --list', () => {
  it('INI: ranges, host:port, :vars, :children, all:vars, ungrouped, local', () => {
    const inv = compareWithAnsible(path.join(FIX, 'inventory.ini'))
    const host1 = inv.hosts.find((h) => h.name === 'host1')!
    expect(host1.proxyJump).toEqual([{host: 'bastion.example.com', port: 2022, user: 'jump'}])
    expect(host1.groups).toEqual(['usa', 'southeast', 'atlanta'])
    expect(inv.hosts.find((h) => h.name === 'control')!.transport).toBe('local')
  })

  it('YAML: nested children, groups listed twice, group priority, vars depth', () => {
    const inv = compareWithAnsible(path.join(FIX, 'inventory.yml'))
    expect(inv.hosts.find((h) => h.name === 'replica05')!.proxyJump).toEqual([{host: 'bastion.example.com'}])
  })

  it('INI: a host in two groups at the same depth takes the vars of the later group by name', () => {
    const file = path.join(tmp, 'same-depth')
    writeFileSync(
      file,
      ['[zeta]', 'h1', '[alpha]', 'h1', '[beta]', 'h2 ansible_port=2000', '[alpha:vars]', 'ansible_user=a', 'ansible_port=1111', '[zeta:vars]', 'ansible_user=z', '[beta:vars]', 'ansible_port=3000', 'ansible_become=True', '[all:vars]', 'ansible_user=everyone', ''].join('\n'),
    )
    const inv = compareWithAnsible(file)
    expect(inv.hosts.find((h) => h.name === 'h1')!.user).toBe('z')
  })

  it('INI: priorities, deep children, IPv6, steps, letters, quoted vars and comments', () => {
    const file = path.join(tmp, 'deep.ini')
    writeFileSync(
      file,
      [
        '; comment',
        'lonely ansible_host="10.0.0.7"  # trailing comment',
        '[a]',
        'n[1:9:4] ansible_user=\'quoted user\'',
        '[b]',
        'n1',
        'x-[A:C]',
        '[c:children]',
        'a',
        'b',
        '[d:children]',
        'c',
        '[a:vars]',
        'ansible_group_priority=10',
        'ansible_port=1010',
        '[b:vars]',
        'ansible_port = 2020',
        'ansible_ssh_private_key_file=/keys/b',
        '[c:vars]',
        'ansible_become=yes',
        'ansible_port=3030',
        '[d:vars]',
        'ansible_port=4040',
        'ansible_user=deep',
        '[v6]',
        '[2001:db8::10]:2222',
        '2001:db8::11',
        '',
      ].join('\n'),
    )
    const inv = compareWithAnsible(file)
    expect(inv.hosts.find((h) => h.name === 'n1')!.port).toBe(1010)
  })

  it('YAML: ports in host keys, null groups, become as string', () => {
    const file = path.join(tmp, 'ports.yaml')
    writeFileSync(
      file,
      [
        'all:',
        '  children:',
        '    web:',
        '      hosts:',
        '        w[a:c]:2202:',
        '          ansible_become: "yes"',
        '        plain:',
        '    empty:',
        '    db:',
        '      children:',
        '        web:',
        '      vars:',
        '        ansible_user: dbuser',
        '        ansible_connection: local',
        '',
      ].join('\n'),
    )
    compareWithAnsible(file)
  })
})

describe('Ansible host patterns', () => {
  it('expands ranges as Ansible does', () => {
    expect(expandHostRange('web[01:03]')).toEqual(['web01', 'web02', 'web03'])
    expect(expandHostRange('web[8:10]')).toEqual(['web8', 'web9', 'web10'])
    expect(expandHostRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c'])
    expect(expandHostRange('n[0:10:5]')).toEqual(['n0', 'n5', 'n10'])
    expect(expandHostRange('r[1:2]-[a:b]')).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b'])
    expect(() => expandHostRange('web[01:3]')).toThrow(/equal|length/)
    expect(() => expandHostRange('web[c:a]')).toThrow(/after/)
  })

  it('splits ports, keeps IPv6', () => {
    expect(parseHostPattern('web[1:2]:2222')).toEqual({names: ['web1', 'web2'], port: 2222})
    expect(parseHostPattern('[2001:db8::1]:22')).toEqual({names: ['2001:db8::1'], port: 22})
    expect(parseHostPattern('2001:db8::1')).toEqual({names: ['2001:db8::1']})
  })

  it('reads a plain ssh -W ProxyCommand as a jump, and nothing else', () => {
    expect(jumpFromProxyCommand('ssh -W %h:%p -q -p 2200 ops@bastion')).toBe('ops@bastion:2200')
    expect(jumpFromProxyCommand('ssh -l ops -W [%h]:%p bastion')).toBe('ops@bastion')
    expect(jumpFromProxyCommand('nc -X 5 -x proxy:1080 %h %p')).toBeUndefined()
    expect(jumpFromProxyCommand('ssh -W %h:%p -i key bastion')).toBeUndefined()
    expect(jumpFromProxyCommand('ssh bastion nc %h %p')).toBeUndefined()
  })
})

describe('Ansible import errors', () => {
  it('points at the line of a bad range', () => {
    const file = path.join(tmp, 'bad.ini')
    writeFileSync(file, '[web]\nok1\nweb[01:3]\n')
    const r = readInventory(file, {sshConfig: null})
    expect(r.errors[0]?.format()).toMatch(/bad\.ini:3:1 .*range/)
  })

  it('refuses a connection hatang cannot make', () => {
    const file = path.join(tmp, 'winrm.ini')
    writeFileSync(file, '[win]\nw1 ansible_connection=winrm\n')
    // the position is the variable's, on the host's line
    expect(readInventory(file, {sshConfig: null}).errors[0]?.format()).toMatch(/winrm\.ini:2:4 host 'w1': ansible_connection 'winrm' is not supported/)
  })
})
