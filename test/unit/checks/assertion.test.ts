import {beforeAll, describe, expect, it} from 'vitest'

import {collectHost} from '../../../src/collect/collect-host.js'
import {evaluate, type Assertion} from '../../../src/engine/checks/assertion.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'
import {withSection} from '../../support/snapshots.js'

let base: Snapshot
beforeAll(async () => {
  base = await collectHost(new LocalTransport(), {})
})

const verdict = (a: Assertion, s: Snapshot = base) => evaluate(a, s).verdict

describe('assertions', () => {
  it('compare scalars, with YAML-ish leniency between numbers and strings', () => {
    const s = withSection(base, 'sshd', {status: 'ok', data: {installed: true, port: 22, permitRootLogin: 'no', maxAuthTries: 6}})
    expect(verdict({path: 'sshd.permitRootLogin', equals: 'no'}, s)).toBe('pass')
    expect(verdict({path: 'sshd.permitRootLogin', in: ['yes']}, s)).toBe('fail')
    expect(verdict({path: 'sshd.maxAuthTries', le: 4}, s)).toBe('fail')
    expect(verdict({path: 'sshd.port', equals: '22'}, s)).toBe('pass')
    expect(verdict({path: 'sshd.permitRootLogin', matches: '^(no|prohibit)'}, s)).toBe('pass')
  })

  it('is unknown, with the reason, where the data is missing: never pass', () => {
    const s = withSection(base, 'sshd', {status: 'unavailable', reason: 'needs root'})
    expect(evaluate({path: 'sshd.permitRootLogin', equals: 'no'}, s)).toMatchObject({verdict: 'unknown', reason: 'sshd: unavailable (needs root)'})
    const t = withSection(base, 'sshd', {status: 'ok', data: {installed: true}})
    expect(evaluate({path: 'sshd.permitRootLogin', notEquals: 'yes'}, t)).toMatchObject({verdict: 'unknown', reason: 'sshd.permitRootLogin is not reported'})
    expect(verdict({path: 'sshd.permitRootLogin', exists: false}, t)).toBe('pass')
  })

  it('combines with three-valued logic', () => {
    const s = withSection(base, 'sshd', {status: 'ok', data: {installed: true, permitRootLogin: 'no'}})
    const known = {path: 'sshd.permitRootLogin', equals: 'no'}
    const unknown = {path: 'sshd.maxAuthTries', le: 4}
    expect(verdict({all: [known, unknown]}, s)).toBe('unknown')
    expect(verdict({any: [known, unknown]}, s)).toBe('pass')
    expect(verdict({all: [{path: 'sshd.permitRootLogin', equals: 'yes'}, unknown]}, s)).toBe('fail')
    expect(verdict({not: known}, s)).toBe('fail')
    expect(verdict({not: unknown}, s)).toBe('unknown')
  })

  it('quantifies over lists, naming the offending items', () => {
    const s = withSection(base, 'accounts', {status: 'ok', data: {...base.sections.accounts.data!, uid0: ['root', 'toor']}})
    expect(evaluate({path: 'accounts.uid0', each: {path: '.', equals: 'root'}}, s)).toMatchObject({verdict: 'fail', reason: 'accounts.uid0[toor] is "toor", expected "root"'})
    expect(verdict({path: 'accounts.uid0', some: {path: '.', equals: 'toor'}}, s)).toBe('pass')
    expect(evaluate({path: 'accounts.uid0', none: {path: '.', equals: 'toor'}}, s)).toMatchObject({verdict: 'fail', reason: 'accounts.uid0: toor'})
    expect(verdict({path: 'accounts.uid0', count: {le: 1}}, s)).toBe('fail')
    expect(verdict({path: 'accounts.uid0', count: {where: {path: '.', matches: '^t'}, equals: 1}}, s)).toBe('pass')
  })

  it('compares versions by the package manager ordering', () => {
    const s = withSection(base, 'packages', {status: 'ok', data: {managers: ['dpkg'], items: [{name: 'openssl', version: '3.0.11-1~deb12u2', architecture: 'amd64', manager: 'dpkg', status: 'ii'}]}})
    const a = (op: string, v: string): Assertion => ({path: 'packages.items', some: {all: [{path: 'name', equals: 'openssl'}, {path: 'version', [op]: v}]}} as Assertion)
    expect(verdict(a('versionGe', '3.0.11-1~deb12u1'), s)).toBe('pass')
    expect(verdict(a('versionGe', '3.0.11-1~deb12u3'), s)).toBe('fail')
    expect(verdict(a('versionLt', '3.0.11-1'), s)).toBe('pass') // ~ sorts before the end: 3.0.11-1~deb12u2 < 3.0.11-1
  })

  it('compares an rpm package by rpm rules and a dpkg one by dpkg rules', () => {
    // "1.0.a" against "1.0a": equal for rpm (separators only split segments), newer for dpkg (letters sort before '.')
    const pkg = (manager: string) =>
      withSection(base, 'packages', {status: 'ok', data: {managers: [manager], items: [{name: 'tool', version: '1.0.a', architecture: 'x86_64', manager, status: 'installed'}]}})
    const newer: Assertion = {path: 'packages.items', some: {all: [{path: 'name', equals: 'tool'}, {path: 'version', versionGt: '1.0a'}]}}
    expect(verdict(newer, pkg('rpm'))).toBe('fail')
    expect(verdict(newer, pkg('dpkg'))).toBe('pass')
  })

  it('compares one number over another', () => {
    const s = withSection(base, 'filesystems', {status: 'ok', data: {mounts: [
      {target: '/', source: '/dev/vda', fstype: 'ext4', options: [], readOnly: false, pseudo: false, network: false, sizeBytes: 100, usedBytes: 90},
      {target: '/srv', source: '/dev/vdb', fstype: 'ext4', options: [], readOnly: false, pseudo: false, network: false, sizeBytes: 100, usedBytes: 10},
      {target: '/proc', source: 'proc', fstype: 'proc', options: [], readOnly: false, pseudo: true, network: false},
    ]}})
    const full = {path: 'filesystems.mounts', none: {all: [{path: 'pseudo', equals: false}, {ratio: {of: 'usedBytes', to: 'sizeBytes'}, gt: 0.85}]}} as Assertion
    expect(evaluate(full, s)).toMatchObject({verdict: 'fail', reason: 'filesystems.mounts: /'})
    expect(verdict({ratio: {of: 'memory.availableBytes', to: 'memory.totalBytes'}, ge: 0}, base)).toBe('pass')
  })

  it('reads keys that contain dots through a list path', () => {
    const s = withSection(base, 'sysctl', {status: 'ok', data: {...base.sections.sysctl.data!, params: {'net.ipv4.ip_forward': '1'}}})
    expect(verdict({path: ['sysctl', 'params', 'net.ipv4.ip_forward'], equals: '0'}, s)).toBe('fail')
  })
})
