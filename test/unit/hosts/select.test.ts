import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {loadInventory} from '../../../src/hosts/load-inventory.js'
import {LimitError, selectHosts} from '../../../src/hosts/select.js'

const FIX = path.resolve(import.meta.dirname, '../../fixtures/hosts')
const inv = loadInventory(path.join(FIX, 'hosts.yaml'), {sshConfig: null})
const names = (limit?: string) => selectHosts(inv, limit).map((h) => h.name)

describe('selectHosts (Ansible --limit semantics)', () => {
  it('no limit, all and * select everything in inventory order', () => {
    const all = ['web01', 'web02', 'web03', 'db01', 'db02', 'bastion', 'localhost']
    expect(names()).toEqual(all)
    expect(names('all')).toEqual(all)
    expect(names('*')).toEqual(all)
  })
  it('groups include their children; hosts by name; comma lists unite', () => {
    expect(names('dmz')).toEqual(['web01', 'web02', 'web03'])
    expect(names('prod')).toEqual(['web01', 'web02', 'web03', 'db01', 'db02'])
    expect(names('bastion,db01')).toEqual(['db01', 'bastion'])
  })
  it('globs match host and group names; ~ takes a regular expression', () => {
    expect(names('web*')).toEqual(['web01', 'web02', 'web03'])
    expect(names('d?')).toEqual(['db01', 'db02']) // the group db
    expect(names('~^(web|db)0[13]$')).toEqual(['web01', 'web03', 'db01'])
  })
  it('! excludes and & intersects, whatever their position', () => {
    expect(names('prod,!web02')).toEqual(['web01', 'web03', 'db01', 'db02'])
    expect(names('!web02,prod')).toEqual(['web01', 'web03', 'db01', 'db02'])
    expect(names('prod,&backup')).toEqual(['db02'])
    expect(names('!dmz')).toEqual(['db01', 'db02', 'bastion', 'localhost'])
    expect(names('web*,db*,&prod,!db01')).toEqual(['web01', 'web02', 'web03', 'db02'])
  })
  it('unknown names are errors, with a suggestion', () => {
    expect(() => names('wbe')).toThrow(LimitError)
    try {
      names('prod,!web4')
    } catch (error) {
      expect((error as LimitError).message).toMatch(/'web4', which is neither a group nor a host/)
      expect((error as LimitError).hint).toMatch(/did you mean 'web'/)
    }
    expect(() => names('zz*')).toThrow(/matches no host/)
    expect(names('prod,!zz*')).toHaveLength(5) // an exclusion glob may match nothing
  })
})
