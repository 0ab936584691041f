import {describe, expect, it} from 'vitest'

import {LocalTransport} from '../../../src/transport/local-transport.js'
import {shQuote} from '../../../src/model/shell-quote.js'

const local = new LocalTransport()

describe('LocalTransport', () => {
  it('reports a non-zero exit as data', async () => {
    const r = await local.exec('echo out; echo err >&2; exit 7')
    expect(r).toMatchObject({stdout: 'out\n', stderr: 'err\n', exitCode: 7, timedOut: false, truncated: false})
  })

  it('kills the whole process group on timeout', async () => {
    const marker = `hatang-orphan-${process.pid}-${Date.now()}`
    const t0 = Date.now()
    const r = await local.exec(`sh -c 'sleep 30; echo ${marker}' & sleep 30`, {timeoutMs: 300})
    expect(r.timedOut).toBe(true)
    expect(r.exitCode).toBeNull()
    expect(Date.now() - t0).toBeLessThan(5000)
    const ps = await local.exec(`ps -eo args | grep -c '[s]leep 30; echo ${marker}' || true`)
    expect(ps.stdout.trim()).toBe('0')
  })

  it('feeds stdin and streams stdout', async () => {
    const chunks: string[] = []
    const r = await local.exec('cat', {stdin: 'hello', onStdout: (c) => void chunks.push(c)})
    expect(r.stdout).toBe('hello')
    expect(chunks.join('')).toBe('hello')
  })

  it('decodes invalid UTF-8 without throwing', async () => {
    const r = await local.exec("printf '\\377\\376ok'")
    expect(r.stdout.endsWith('ok')).toBe(true)
  })
})

describe('shQuote', () => {
  it('round-trips any string through a real shell', async () => {
    for (const s of ['', 'plain', "it's", '$(id) `id` $HOME', 'a\nb', '\\"\'', '-n', '*']) {
      const r = await local.exec(`printf '%s' ${shQuote(s)}`)
      expect(r.stdout).toBe(s)
    }
  })
})
