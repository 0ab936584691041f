import {describe, expect, it} from 'vitest'

import {terminalLines, terminalSafe, terminalText} from '../../../src/report/terminal-text.js'

describe('terminalText', () => {
  it('escapes the bytes that retitle and clear a terminal, and keeps Vietnamese intact', () => {
    const hostile = 'Debian\u001b]0;PWNED\u0007\u001b[2J GNU/Linux'
    const safe = terminalText(hostile)
    expect(safe).toBe('Debian\\x1b]0;PWNED\\x07\\x1b[2J GNU/Linux')
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
    expect(terminalText('Máy chủ Hà Nội — đúng, đủ, sạch, sống\tok')).toBe('Máy chủ Hà Nội — đúng, đủ, sạch, sống\tok')
  })

  it('escapes C1 controls, DEL, newlines and bidirectional overrides', () => {
    expect(terminalText('a\u009b31mb\u007fc\nd\re')).toBe('a\\x9b31mb\\x7fc\\nd\\re')
    expect(terminalText('file\u202eexe.txt')).toBe('file\\u202eexe.txt')
    expect(terminalText(undefined)).toBe('')
  })

  it('terminalLines keeps newlines and escapes everything else', () => {
    expect(terminalLines('one\ntwo\u001b[1m\r')).toBe('one\ntwo\\x1b[1m\\r')
  })
})

describe('terminalSafe', () => {
  it('escapes every string of a nested value, keys included, and leaves numbers, booleans and null', () => {
    const value = {os: {prettyName: 'x\u001b[2J'}, list: ['a\u0007', 3, true, null], ['k\u001b']: 'v'}
    expect(terminalSafe(value)).toEqual({os: {prettyName: 'x\\x1b[2J'}, list: ['a\\x07', 3, true, null], 'k\\x1b': 'v'})
    // the original is untouched: JSON output keeps the raw value
    expect(value.os.prettyName).toBe('x\u001b[2J')
  })
})
