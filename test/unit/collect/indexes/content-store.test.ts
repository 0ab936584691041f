import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterEach, describe, expect, it} from 'vitest'

import type {ContentKind} from '../../../../inventory/kit/content.js'
import {ContentStore, type FetchedContent} from '../../../../src/collect/indexes/content-store.js'

const kind: ContentKind<string[]> = {
  id: 'words',
  version: 1,
  digest: (content) => content.toString('utf8').toUpperCase(),
  load: (digest) => digest.split(' '),
  sample: (digest) => digest,
}
const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hatang-content-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

/** A host that answers with the content, gzipped as a host sends an uncompressed list, counting the requests. */
function host(content: string) {
  const asked = {count: 0}
  return {asked, fetch: async (): Promise<FetchedContent> => (asked.count++, {bytes: gzipSync(content), format: 'gz'})}
}

describe('contents known by hash, kept on the controller', () => {
  it('asks a host once, then serves the same hash from memory and, in a new process, from the cache folder', async () => {
    const dir = tmp()
    const {asked, fetch} = host('alpha beta')
    const want = {sha256: sha('alpha beta'), path: '/var/lib/apt/lists/x_Packages', size: 10}
    const store = new ContentStore(dir)
    expect(await store.get(kind, want, fetch)).toEqual(['ALPHA', 'BETA'])
    expect(await store.get(kind, want, fetch)).toEqual(['ALPHA', 'BETA'])
    expect(asked.count).toBe(1)
    expect(store.counts).toEqual({fetched: 1, fromDisk: 0, fromMemory: 1})
    const next = new ContentStore(dir)
    expect(await next.get(kind, want, fetch)).toEqual(['ALPHA', 'BETA'])
    expect(asked.count).toBe(1)
    expect(next.counts).toEqual({fetched: 0, fromDisk: 1, fromMemory: 0})
    expect(readdirSync(dir)).toEqual([`words-v1-${want.sha256}.txt`])
  })

  it('many hosts wanting the same content at once cost one request', async () => {
    const {asked, fetch} = host('gamma')
    const store = new ContentStore(tmp())
    const want = {sha256: sha('gamma'), path: '/l'}
    const all = await Promise.all(Array.from({length: 20}, () => store.get(kind, want, fetch)))
    expect(all.every((v) => v[0] === 'GAMMA')).toBe(true)
    expect(asked.count).toBe(1)
  })

  it('keeps nothing a host sends that is not the content of the hash asked (no host can make another host\'s answer)', async () => {
    const dir = tmp()
    const store = new ContentStore(dir)
    const want = {sha256: sha('the real list'), path: '/var/lib/apt/lists/y_Packages'}
    await expect(store.get(kind, want, host('a forged list').fetch)).rejects.toThrow(/\/var\/lib\/apt\/lists\/y_Packages does not match its index: SHA-256 [0-9a-f]{12}…, 13 bytes; expected [0-9a-f]{12}…/)
    expect(readdirSync(dir)).toEqual([])
    // the honest host's answer is then taken
    expect(await store.get(kind, want, host('the real list').fetch)).toEqual(['THE', 'REAL', 'LIST'])
    await expect(store.get(kind, {sha256: sha('x'), path: '/z', size: 5}, host('x').fetch)).rejects.toThrow(/1 bytes; expected .*, 5 bytes/)
    await expect(store.get(kind, {sha256: '../../etc/passwd', path: '/z'}, host('x').fetch)).rejects.toThrow(/not a SHA-256/)
  })

  it('stays within its size, removing the least recently used first', async () => {
    const dir = tmp()
    const store = new ContentStore(dir, 2500)
    const contents = ['a'.repeat(1000), 'b'.repeat(1000), 'c'.repeat(1000)]
    for (const [i, c] of contents.entries()) {
      await store.get(kind, {sha256: sha(c), path: `/l${i}`}, host(c).fetch)
      // file times one second apart, oldest first
      const f = path.join(dir, `words-v1-${sha(c)}.txt`)
      utimesSync(f, 1_000_000 + i, 1_000_000 + i)
    }
    const kept = readdirSync(dir).sort()
    expect(kept).toEqual([sha(contents[1]!), sha(contents[2]!)].map((h) => `words-v1-${h}.txt`).sort())
  })

  it('works, in memory only, where the cache folder cannot be written', async () => {
    const file = path.join(tmp(), 'a-file')
    writeFileSync(file, '')
    const store = new ContentStore(path.join(file, 'below-a-file'))
    expect(await store.get(kind, {sha256: sha('delta'), path: '/l'}, host('delta').fetch)).toEqual(['DELTA'])
    expect(existsSync(path.join(file, 'below-a-file'))).toBe(false)
  })
})
