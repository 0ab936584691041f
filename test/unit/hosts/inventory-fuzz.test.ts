import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/config/config-error.js'
import {readInventory} from '../../../src/hosts/load-inventory.js'
import {SshConfig} from '../../../src/hosts/ssh-config.js'
import {garbage} from '../../support/fuzz.js'

const FIX = path.resolve(import.meta.dirname, '../../fixtures/hosts')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hatang-hosts-fuzz-'))
const RUNS = 300

/** Any input gives an inventory or positioned ConfigErrors — never a crash. */
function survives(name: string, samples: string[]): void {
  fc.assert(
    fc.property(garbage(samples), (text) => {
      const file = path.join(tmp, name)
      writeFileSync(file, text)
      const r = readInventory(file, {sshConfig: null})
      if (r.inventory) return
      expect(r.errors.length).toBeGreaterThan(0)
      for (const e of r.errors) {
        expect(e).toBeInstanceOf(ConfigError)
        expect(e.line).toBeGreaterThanOrEqual(1)
        expect(e.column).toBeGreaterThanOrEqual(1)
      }
    }),
    {numRuns: RUNS},
  )
}

describe('inventories of garbage', () => {
  const read = (f: string) => readFileSync(path.join(FIX, f), 'utf8')
  it('hosts.yaml', () => survives('h.yaml', [read('hosts.yaml'), ...['bad-port', 'cycle', 'conflict', 'secret'].map((n) => read(`invalid/${n}.yaml`))]))
  it('Ansible YAML', () => survives('a.yml', [read('inventory.yml')]))
  it('Ansible INI', () => survives('inventory', [read('inventory.ini')]))
  it('ssh_config', () => {
    fc.assert(
      fc.property(garbage([read('ssh_config').replaceAll('@DIR@', tmp)]), fc.string({maxLength: 20}), (text, alias) => {
        try {
          SshConfig.parse(text, 'cfg', {home: tmp, localUser: 'u'}).lookup(alias || 'x')
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError)
        }
      }),
      {numRuns: RUNS},
    )
  })
})
