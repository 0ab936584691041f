import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import type {SweepReport} from '../../src/report/sweep-summary.js'
import {hatang} from '../support/cli.js'
import {freePort} from '../support/sshd.js'

const work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sweep-big-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

describe('sweep of a big inventory', () => {
  it('reads 60,000 hosts (with an anchor: the yaml library reads it) without running out of memory', async () => {
    // every host points at a closed port on loopback, and --limit picks two: the sweep ends at once, unreachable
    const port = await freePort()
    const n = 60_000
    const lines = ['defaults:', '  address: &loopback 127.0.0.1', `  port: ${port}`, '  connectTimeout: 2', 'groups:', '  fleet:', '    hosts:']
    for (let i = 1; i <= n; i++) lines.push(`      h${String(i).padStart(6, '0')}: {user: u${i % 50}}`)
    const file = path.join(work, 'hosts.yaml')
    writeFileSync(file, `${lines.join('\n')}\n`)
    const r = hatang(['sweep', file, '--limit', 'h000001,h060000', '--ssh-config', 'none', '-o', path.join(work, 'out'), '--quiet', '--json'], {timeoutMs: 120_000})
    expect(r.stderr).not.toMatch(/heap out of memory|Allocation failed/)
    expect(r.status).toBe(3) // Unreachable: both hosts refused the connection
    const report = JSON.parse(r.stdout) as SweepReport
    expect(report.counts).toEqual({unreachable: 2})
  }, 150_000)
})
