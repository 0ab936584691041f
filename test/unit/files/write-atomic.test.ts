import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {writeSizedAtomic} from '../../../src/files/write-atomic.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-write-atomic-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('writeSizedAtomic', () => {
  it('writes text given in pieces as the joined text, UTF-8, whatever their sizes, and says how many bytes', async () => {
    // small pieces, multi-byte characters, and pieces larger than one write (1 MiB)
    const pieces = ['{"a": "Việt Nam"', ...Array.from({length: 3000}, (_, i) => `,\n "k${i}": "${'ạ'.repeat(i % 700)}"`), `,\n "big": "${'x'.repeat(3 << 20)}"`, '}\n']
    const file = path.join(dir, 'pieces.json')
    const bytes = await writeSizedAtomic(file, pieces)
    const text = pieces.join('')
    expect(readFileSync(file, 'utf8')).toBe(text)
    expect(bytes).toBe(Buffer.byteLength(text))
    expect(await writeSizedAtomic(path.join(dir, 'text.txt'), 'Hạ tầng\n')).toBe(Buffer.byteLength('Hạ tầng\n'))
    // nothing left behind but the files
    expect(readdirSync(dir).filter((f) => f.includes('.')).sort()).toEqual(['pieces.json', 'text.txt'])
  })

  it('makes the missing folders of a path, writes into one that exists, and says why it cannot where a file is in the way', async () => {
    const deep = path.join(dir, 'made', 'of', 'parts', 'host.json')
    await writeSizedAtomic(deep, '{}\n')
    expect(readFileSync(deep, 'utf8')).toBe('{}\n')
    await writeSizedAtomic(path.join(dir, 'made', 'of', 'parts', 'other.json'), '[]\n')
    expect(readdirSync(path.dirname(deep)).sort()).toEqual(['host.json', 'other.json'])
    writeFileSync(path.join(dir, 'plain'), 'a file')
    await expect(writeSizedAtomic(path.join(dir, 'plain', 'below', 'x.json'), '{}')).rejects.toMatchObject({code: 'ENOTDIR'})
    await expect(writeSizedAtomic(path.join(dir, 'plain', 'x.json'), '{}')).rejects.toMatchObject({code: 'ENOTDIR'})
  })
})
