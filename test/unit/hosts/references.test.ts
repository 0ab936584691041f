import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {readInventory} from '../../../src/hosts/load-inventory.js'
import type {HostSpec} from '../../../src/hosts/model.js'

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hatang-references-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
let n = 0
function write(text: string, name = `inv${++n}.yaml`): string {
  const file = path.join(tmp, name)
  mkdirSync(path.dirname(file), {recursive: true})
  writeFileSync(file, text)
  return file
}
function hosts(text: string): Record<string, HostSpec> {
  const r = readInventory(write(text), {sshConfig: null, home: '/home/auditor'})
  expect(r.errors.map((e) => e.format())).toEqual([])
  return Object.fromEntries(r.inventory!.hosts.map((h) => [h.name, h]))
}
function problems(text: string): string[] {
  const file = write(text)
  return readInventory(file, {sshConfig: null, home: '/home/auditor'}).errors.map((e) => e.format().replaceAll(`${tmp}/`, ''))
}

const WEB = ['groups:', '  web:', '    reference: web1', '    hosts:', '      web1:', '      web2:', '      web3:', '  db:', '    hosts:', '      db1:', '']

describe('reference: in hosts.yaml', () => {
  it('a host of the group is its reference, recorded on each of its hosts (and only its hosts)', () => {
    const h = hosts(WEB.join('\n'))
    for (const name of ['web1', 'web2', 'web3']) expect(h[name]!.references).toEqual([{group: 'web', host: 'web1'}])
    expect(h.db1!.references).toBeUndefined()
  })

  it('a host of a child group counts as a host of the group; each group keeps its own reference', () => {
    const h = hosts(['groups:', '  web:', '    reference: eu1', '    children:', '      web-eu:', '        reference: eu2', '        hosts: {eu1:, eu2:}', ''].join('\n'))
    expect(h.eu1!.references).toEqual([
      {group: 'web', host: 'eu1'},
      {group: 'web-eu', host: 'eu2'},
    ])
  })

  it('a host that is not in the group is an error at file:line:col, with the likely one', () => {
    const text = WEB.join('\n').replace('reference: web1', 'reference: web11')
    const got = problems(text)
    expect(got).toEqual([`inv${n}.yaml:3:16 /groups/web/reference names host 'web11', which is not a host of group 'web' — did you mean 'web1'?`])
    const other = WEB.join('\n').replace('reference: web1', 'reference: db1')
    const got2 = problems(other)
    expect(got2).toEqual([`inv${n}.yaml:3:16 /groups/web/reference names host 'db1', which is not a host of group 'web' — name one of the group's hosts: web1, web2, web3`])
  })

  it('a standard file is read (relative to the hosts file), validated, and carried with its content', () => {
    write(['name: web-hardened', 'packages:', "  openssh-server: '1:10.0p1-7+deb13u4'", '  auditd: present', '  telnetd: absent', 'sshd:', "  PermitRootLogin: 'no'", 'timeServers: [ntp1.example.vn]', 'kernel: 6.12.48+deb13-amd64', ''].join('\n'), 'standards/web.yaml')
    const h = hosts(WEB.join('\n').replace('reference: web1', 'reference: {file: standards/web.yaml}'))
    expect(h.web2!.references).toEqual([
      {
        group: 'web',
        standard: {
          file: 'standards/web.yaml',
          name: 'web-hardened',
          packages: {'openssh-server': '1:10.0p1-7+deb13u4', auditd: 'present', telnetd: 'absent'},
          sshd: {permitrootlogin: 'no'},
          timeServers: ['ntp1.example.vn'],
          kernel: '6.12.48+deb13-amd64',
        },
      },
    ])
  })

  it("a standard file's mistakes are errors at its own file:line:col; a missing one where the hosts file names it", () => {
    write(['packages:', '  openssh-server: 1.10', 'sshd:', '  PermitRootLogin: "no"', '  permitrootlogin: "yes"', 'kernal: 6.1', ''].join('\n'), 'standards/bad.yaml')
    const got = problems(WEB.join('\n').replace('reference: web1', 'reference: {file: standards/bad.yaml}'))
    const hint = ` — fix it (see "Fleet references" in the README), then run 'hatang hosts validate inv${n}.yaml'`
    expect(got).toEqual([
      `standards/bad.yaml:2:19 /packages/openssh-server must be text: quote it ('1.10' written bare is the number 1.1)${hint}`,
      `standards/bad.yaml:6:1 /kernal has unknown property 'kernal'${hint}`,
    ])
    const missing = problems(WEB.join('\n').replace('reference: web1', 'reference: {file: standards/none.yaml}'))
    expect(missing).toEqual([`inv${n}.yaml:3:23 /groups/web/reference/file names standard file 'standards/none.yaml', which does not exist (standards/none.yaml) — correct the path: it is relative to the hosts file`])
    write(['sshd:', '  PermitRootLogin: "no"', '  permitrootlogin: "yes"', ''].join('\n'), 'standards/twice.yaml')
    expect(problems(WEB.join('\n').replace('reference: web1', 'reference: {file: standards/twice.yaml}'))).toEqual([
      `standards/twice.yaml:3:3 /sshd/permitrootlogin states sshd keyword 'permitrootlogin' a second time (as 'PermitRootLogin') — state each keyword once (sshd keywords ignore case)`,
    ])
  })

  it('reference is a group key only; a wrong shape is said in words', () => {
    expect(problems(['hosts:', '  a: {reference: a}', ''].join('\n'))[0]).toContain("/hosts/a/reference is not a known setting")
    expect(problems(['groups:', '  g:', '    referense: a', '    hosts: {a:}', ''].join('\n'))[0]).toContain("did you mean 'reference'?")
    const shape = problems(['groups:', '  g:', '    reference: [a]', '    hosts: {a:}', ''].join('\n'))
    expect(shape).toEqual([
      `inv${n}.yaml:3:16 /groups/g/reference must be a host of the group, or {file: PATH} naming a standard file — run 'hatang hosts validate inv${n}.yaml'`,
    ])
  })
})
