import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {builtinFixTable, tableIn} from '../../../scripts/fix-table.js'

const README = path.resolve(import.meta.dirname, '../../../README.md')

describe("the README's table of automatic fixes", () => {
  it('is what scripts/fix-table.ts writes from the packs (node dist/scripts/fix-table.js --write README.md)', () => {
    const table = builtinFixTable()
    expect(tableIn(readFileSync(README, 'utf8'))).toBe(table)
  })

  it('names each automatic fix once, with what it changes read from its tasks', () => {
    const rows = builtinFixTable().split('\n').filter((l) => l.startsWith('| `'))
    const ids = rows.map((r) => /^\| `([^`]+)`/.exec(r)![1])
    expect(new Set(ids).size).toBe(ids.length)
    expect(rows.find((r) => r.startsWith('| `sysctl.aslr` |'))).toBe('| `sysctl.aslr` | medium | `kernel.randomize_va_space = 2` (running and in /etc/sysctl.d/60-hatang.conf) | none |')
    expect(rows.find((r) => r.startsWith('| `ssh.password-authentication` |'))).toContain('`PasswordAuthentication no` in /etc/ssh/sshd_config.d/00-hatang.conf | sshd; hosts hatang reaches with a key |')
  })
})
