import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {resolveTop} from '../../../src/engine/checks/assertion.js'
import {readInventory} from '../../../src/hosts/load-inventory.js'
import {newAjv} from '../../../src/model/compile-schema.js'
import {COLLECTED_STATUSES, HOST_STATUSES, isCollected} from '../../../src/model/host-status.js'
import {AnySectionSchema, isRead, READ_STATUSES, SECTION_STATUSES} from '../../../src/model/section.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {snapshotFacts} from '../../../src/model/snapshot-facts.js'
import {INVENTORY_TRANSPORT_KINDS, TRANSPORT_KINDS} from '../../../src/model/transport-kind.js'
import {openStore} from '../../../src/store/store.js'
import {asHost, withSection} from '../../support/snapshots.js'

/**
 * One word, one place (DESIGN house rule 10): the shared vocabulary lives in src/model and the rest of the code takes
 * it from there. Behaviour first, then a guard that no second copy is written out elsewhere.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..')
const captured = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/fleet/web1.json'), 'utf8')) as Snapshot
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hatang-vocabulary-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  )
}

/** `file:line text` of each line of the project's code (src, commands, inventory) matching `pattern`. */
function written(pattern: RegExp): string[] {
  return ['src', 'commands', 'inventory'].flatMap(sources).flatMap((f) =>
    readFileSync(path.join(ROOT, f), 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${f}:${i + 1} ${line.trim()}`] : [])),
  )
}

function hostsFileProblems(text: string): string[] {
  const file = path.join(tmp, 'hosts.yaml')
  writeFileSync(file, text)
  return readInventory(file, {sshConfig: null, home: tmp}).errors.map((e) => e.problem)
}

describe('one vocabulary, in src/model', () => {
  it("the transports an inventory may name are the model's: the hosts file takes each, and refuses the others in the model's words", () => {
    expect(TRANSPORT_KINDS).toEqual(expect.arrayContaining([...INVENTORY_TRANSPORT_KINDS]))
    for (const kind of INVENTORY_TRANSPORT_KINDS) expect(hostsFileProblems(`hosts:\n  h: {transport: ${kind}}\n`)).toEqual([])
    const refused = TRANSPORT_KINDS.filter((k) => !(INVENTORY_TRANSPORT_KINDS as readonly string[]).includes(k))
    expect(refused).toEqual(['chroot'])
    for (const kind of [...refused, 'telnet'])
      expect(hostsFileProblems(`hosts:\n  h: {transport: ${kind}}\n`)).toEqual([`must be one of ${INVENTORY_TRANSPORT_KINDS.join(', ')}`])
  })

  it('no second list or type of transport kinds outside src/model', () => {
    expect(written(/type \w*TransportKind\b\s*=|\[\s*'(ssh|local|chroot)',\s*'(ssh|local|chroot)'/).filter((l) => !l.startsWith('src/model/'))).toEqual([])
  })

  it('a section is read when ok or partial, once: isRead, the snapshot schema and the judges agree', () => {
    const validate = newAjv().compile(AnySectionSchema)
    const os = captured.sections.os!
    expect(os.status).toBe('ok')
    for (const status of SECTION_STATUSES) {
      const read = (READ_STATUSES as readonly string[]).includes(status)
      expect(isRead(status), status).toBe(read)
      // the schema asks for data exactly where a section was read
      expect(validate({status, reason: 'why', source: 'probe', durationMs: 1}), status).toBe(!read)
      // the judges take a section's data only where it was read, even with data there
      const s = withSection(captured, 'os', {status, reason: 'why', data: os.data})
      expect(resolveTop(s, 'os.kernel').ok, status).toBe(read)
      expect(snapshotFacts(s).kernel, status).toBe(read ? os.data!.kernel : undefined)
    }
    expect(isRead(undefined)).toBe(false)
  })

  it("a host is collected when ok or partial, once: isCollected, and the store's count of collected hosts", async () => {
    for (const status of HOST_STATUSES) expect(isCollected(status), status).toBe((COLLECTED_STATUSES as readonly string[]).includes(status))
    const store = await openStore(path.join(tmp, 'store', 'hatang.db'))
    const run = await store.beginRun({source: 'sweep'})
    for (const status of HOST_STATUSES) {
      const s = asHost(captured, `h-${status}`)
      s.host.status = status
      await run.addSnapshot(s)
    }
    const done = await run.finish()
    await store.close()
    expect(done.hosts).toEqual({total: HOST_STATUSES.length, collected: HOST_STATUSES.filter(isCollected).length})
    expect(done.hosts.collected).toBe(2)
  })

  it("the test of 'read' and 'collected' is written out nowhere else", () => {
    const copies = written(/'ok'\s*(\|\||&&)[^;]*'partial'|'partial'\s*(\|\||&&)[^;]*'ok'|'ok', ?'partial'\)/).filter(
      (l) => !['src/model/section.ts', 'src/model/host-status.ts'].some((f) => l.startsWith(`${f}:`)),
    )
    expect(copies).toEqual([])
    const templates = readdirSync(path.join(ROOT, 'templates')).filter((f) => f.endsWith('.eta'))
    expect(templates.filter((f) => /byStatus\.(ok|partial)/.test(readFileSync(path.join(ROOT, 'templates', f), 'utf8')))).toEqual([])
  })
})
