import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {numberedFilesCommand, parseNumberedFiles} from '../../../inventory/kit/numbered-files.js'

/**
 * The command itself, run by sh on files made here: what it prints is read back by the parser and compared with the
 * files as Node reads them.
 */
describe('numbered files: one awk reads every file the shell lists', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-numbered-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  chmodSync(dir, 0o755)
  for (const d of ['a', 'b']) mkdirSync(path.join(dir, d), {mode: 0o755})
  const files: Record<string, string> = {
    'a/1.conf': 'x = 1\n!not a marker\n\n  7:looks numbered\n',
    'a/2.conf': '',
    'a/3.conf': 'no newline at the end',
    'b/with space.conf': 'crlf = 1\r\n',
    'b/1.conf': 'later = 2\n',
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text, {mode: 0o644})
  writeFileSync(path.join(dir, 'a/5.conf'), 'secret = 1\n', {mode: 0o600})
  symlinkSync('/dev/null', path.join(dir, 'a/4.conf'))
  const command = numberedFilesCommand([`${dir}/a/*.conf`, `${dir}/b/*.conf`, `${dir}/none/*.conf`, `${dir}/missing.conf`])
  const run = (asUser: boolean) => {
    const argv = asUser ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', command] : ['sh', '-c', command]
    const r = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', env: {PATH: process.env.PATH, LC_ALL: 'C'}})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    return parseNumberedFiles(r.stdout)
  }
  const linesOf = (name: string) => {
    const text = readFileSync(path.join(dir, name), 'utf8')
    // as the parser splits its lines: LF or CRLF, no line after a final newline
    const all = text.split(/\r?\n/)
    if (all.at(-1) === '') all.pop()
    return all.map((t, i) => ({n: i + 1, text: t}))
  }

  it('lists the files in the order of the paths, masked and denied ones in their place, each line numbered', () => {
    // as an ordinary user (the suite runs as root, as the SSH tests need): a mode-600 file of root's is denied
    const parsed = run(true)
    const p = (name: string) => path.join(dir, name)
    expect(parsed.map((f) => f.path)).toEqual(['a/1.conf', 'a/2.conf', 'a/3.conf', 'a/4.conf', 'a/5.conf', 'b/1.conf', 'b/with space.conf'].map(p))
    for (const name of ['a/1.conf', 'a/2.conf', 'a/3.conf', 'b/1.conf', 'b/with space.conf']) {
      expect(parsed.find((f) => f.path === p(name))?.lines, name).toEqual(linesOf(name))
    }
    expect(parsed.find((f) => f.path === p('a/4.conf'))).toEqual({path: p('a/4.conf')})
    expect(parsed.find((f) => f.path === p('a/5.conf'))).toEqual({path: p('a/5.conf'), denied: true})
    // root reads it, and everything else alike
    const asRoot = run(false)
    expect(asRoot.find((f) => f.path === p('a/5.conf'))?.lines).toEqual(linesOf('a/5.conf'))
    expect(asRoot.filter((f) => f.path !== p('a/5.conf'))).toEqual(parsed.filter((f) => f.path !== p('a/5.conf')))
  })

  it('prints nothing where no path exists', () => {
    const r = spawnSync('sh', ['-c', numberedFilesCommand([`${dir}/none/*.conf`, `${dir}/missing.conf`])], {encoding: 'utf8'})
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('')
  })
})
