import {beforeAll, describe, expect, it} from 'vitest'

import {collectHost} from '../../../src/collect/collect-host.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'
import {withData, withSection} from '../../support/snapshots.js'

/** For every built-in check: how to make a host pass it and fail it (from a real snapshot of this machine). */
type Edit = (s: Snapshot) => Snapshot
const ssh = (fields: Record<string, unknown>): Edit => (s) => withData(s, 'sshd', {installed: true, ...fields})
const pkgs = (names: string[]): Edit => (s) =>
  withSection(s, 'packages', {status: 'ok', data: {managers: ['dpkg'], items: names.map((name) => ({name, version: '1.0-1', architecture: 'amd64', manager: 'dpkg', status: 'ii'}))}})
const cases: Record<string, {pass: Edit; fail: Edit}> = {
  'ssh.root-login': {pass: ssh({permitRootLogin: 'no'}), fail: ssh({permitRootLogin: 'yes'})},
  'ssh.password-authentication': {pass: ssh({passwordAuthentication: false}), fail: ssh({passwordAuthentication: true})},
  'ssh.empty-passwords': {pass: ssh({permitEmptyPasswords: false}), fail: ssh({permitEmptyPasswords: true})},
  'ssh.max-auth-tries': {pass: ssh({maxAuthTries: 3}), fail: ssh({maxAuthTries: 6})},
  'ssh.x11-forwarding': {pass: ssh({x11Forwarding: false}), fail: ssh({x11Forwarding: true})},
  'time.synchronized': {pass: (s) => withData(s, 'timeSync', {synchronized: true}), fail: (s) => withData(s, 'timeSync', {synchronized: false})},
  'firewall.active': {pass: (s) => withData(s, 'firewall', {active: true}), fail: (s) => withData(s, 'firewall', {active: false})},
  'updates.security': {pass: (s) => withData(s, 'updates', {security: 0}), fail: (s) => withData(s, 'updates', {security: 3})},
  'updates.reboot': {
    pass: (s) => withData(s, 'updates', {reboot: {required: false, reasons: [], packages: []}}),
    fail: (s) => withData(s, 'updates', {reboot: {required: true, reasons: ['reboot-required file'], packages: []}}),
  },
  'accounts.uid0': {pass: (s) => withData(s, 'accounts', {uid0: ['root']}), fail: (s) => withData(s, 'accounts', {uid0: ['root', 'toor']})},
  'legacy.telnet': {pass: pkgs(['openssh-server']), fail: pkgs(['openssh-server', 'telnetd'])},
  'legacy.rsh': {pass: pkgs(['openssh-server']), fail: pkgs(['rsh-server'])},
  'legacy.tftp': {pass: pkgs(['openssh-server']), fail: pkgs(['tftpd-hpa'])},
  'legacy.nis': {pass: pkgs(['openssh-server']), fail: pkgs(['nis'])},
  'mac.active': {pass: (s) => withData(s, 'mac', {active: 'apparmor'}), fail: (s) => withData(s, 'mac', {active: 'none'})},
  'audit.running': {pass: (s) => withData(s, 'audit', {running: true}), fail: (s) => withData(s, 'audit', {running: false})},
  'sysctl.ip-forward': {
    pass: (s) => withData(s, 'sysctl', {params: {'net.ipv4.ip_forward': '0'}}),
    fail: (s) => withData(s, 'sysctl', {params: {'net.ipv4.ip_forward': '1'}}),
  },
}

let base: Snapshot
const packs: Pack[] = []
beforeAll(async () => {
  base = await collectHost(new LocalTransport(), {})
  for (const name of builtinPackNames()) packs.push(loadPack(packFile(name)))
})

describe('built-in check packs', () => {
  it('load, validate and cover every check with a passing and a failing case', () => {
    expect(packs.length).toBeGreaterThan(0)
    const ids = packs.flatMap((p) => p.checks.map((c) => c.id))
    expect(ids.filter((id) => !(id in cases))).toEqual([])
    expect(Object.keys(cases).filter((id) => !ids.includes(id))).toEqual([])
  })

  it('every check passes and fails as its case says, and is unknown when its data is unavailable', () => {
    for (const pack of packs) {
      for (const check of pack.checks) {
        const only = {...pack, checks: [check]}
        const {pass, fail} = cases[check.id]!
        expect(runChecks(pass(base), [only]).results[0], `${check.id} pass`).toMatchObject({status: 'pass'})
        const failed = runChecks(fail(base), [only]).results[0]!
        expect(failed, `${check.id} fail`).toMatchObject({status: 'fail'})
        expect(failed.reason, `${check.id} says why`).toBeTruthy()
        // the section the check reads, unavailable: unknown with the probe's reason, never pass
        const section = (Array.isArray((check.assert as {path?: unknown}).path) ? (check.assert as {path: string[]}).path[0] : String((check.assert as {path: string}).path).split('.')[0])!
        const blind = withSection(pass(base), section, {status: 'unavailable', reason: 'needs root'})
        expect(runChecks(blind, [only]).results[0], `${check.id} blind`).toMatchObject({status: 'unknown', reason: `${section}: unavailable (needs root)`})
      }
    }
  })

  it('does not apply the SSH checks where sshd is not installed, and calls a host with no applicable check an error', () => {
    const noSshd = withSection(base, 'sshd', {status: 'ok', data: {installed: false}})
    const sshOnly = packs.map((p) => ({...p, checks: p.checks.filter((c) => c.id.startsWith('ssh.'))}))
    const r = runChecks(noSshd, sshOnly)
    expect(r.results.every((x) => x.status === 'not-applicable')).toBe(true)
    expect(r.error).toBe('no check applies to this host')
  })
})
