import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {readInventory} from '../../../src/hosts/load-inventory.js'
import {INVENTORY_TRANSPORT_KINDS, TRANSPORT_KINDS} from '../../../src/model/transport-kind.js'

/**
 * One word, one place (DESIGN house rule 10): the shared vocabulary lives in src/model and the rest of the code takes
 * it from there. Behaviour first, then a guard that no second copy is written out elsewhere.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..')
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
})
