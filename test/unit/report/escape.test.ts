import {describe, expect, it} from 'vitest'

import {escapeXml, jsonForScript} from '../../../src/report/escape.js'
import {jsonPointerLine} from '../../../src/report/json-position.js'

const nasty = `</script><script>alert(1)</script><!-- "'&\u2028\u2029 ]]>`

describe('escaping', () => {
  it('escapes text for HTML, XML and quoted attributes', () => {
    expect(escapeXml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
    expect(escapeXml(undefined)).toBe('')
  })

  it('embeds JSON in a script element that no string can close, and reads back the same', () => {
    const text = jsonForScript({s: nasty, list: [nasty]})
    expect(text).not.toMatch(/[<>&\u2028\u2029]/)
    expect(JSON.parse(text)).toEqual({s: nasty, list: [nasty]})
  })
})

describe('jsonPointerLine', () => {
  const text = JSON.stringify({a: 1, hosts: [{name: 'x'}, {name: 'y', list: [1, 2, {deep: true}]}], 'we/ird': {k: '}{]["\\"'}, z: null}, null, 1)
  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1
  it('finds where the value at a pointer starts', () => {
    expect(jsonPointerLine(text, '')).toBe(1)
    expect(jsonPointerLine(text, '/hosts/1/name')).toBe(lineOf('"y"'))
    expect(jsonPointerLine(text, '/hosts/1/list/2/deep')).toBe(lineOf('"deep"'))
    expect(jsonPointerLine(text, '/we~1ird/k')).toBe(lineOf('"k"'))
    expect(jsonPointerLine(text, '/z')).toBe(lineOf('"z"'))
  })
})
