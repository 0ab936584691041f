import {ParseError} from './parse-error.js'
import {lines} from './probe-helpers.js'

/**
 * Configuration files read whole, with their line numbers, by one shell loop: `!file PATH` then the file's lines as
 * grep numbers them (`N:text`), `!masked PATH` for a link to /dev/null (systemd's and kmod's way to mask a file),
 * `!denied PATH` for one that cannot be read. Paths may be globs; what does not exist prints nothing.
 */
export function numberedFilesCommand(paths: readonly string[]): string {
  return [
    `for f in ${paths.join(' ')}; do`,
    '  if [ -L "$f" ] && [ "$(readlink -f "$f")" = /dev/null ]; then echo "!masked $f"',
    '  elif [ -f "$f" ]; then if [ -r "$f" ]; then echo "!file $f"; grep -n \'\' "$f"; else echo "!denied $f"; fi',
    '  fi',
    'done',
    'exit 0',
  ].join('\n')
}

export interface NumberedFile {
  path: string
  /** Absent for a file masked by a link to /dev/null, or one that could not be read. */
  lines?: {n: number; text: string}[]
  denied?: true
}

/** Parses the output of numberedFilesCommand: the files it listed, in the order listed. */
export function parseNumberedFiles(text: string): NumberedFile[] {
  const files: NumberedFile[] = []
  let current: NumberedFile | undefined
  let n = 0
  for (const raw of lines(text)) {
    n++
    const marker = /^!(file|masked|denied) (\/\S.*)$/.exec(raw)
    if (marker) {
      current = {path: marker[2]!}
      if (marker[1] === 'file') current.lines = []
      if (marker[1] === 'denied') current.denied = true
      files.push(current)
      continue
    }
    const numbered = /^(\d+):(.*)$/.exec(raw)
    if (numbered && current?.lines) {
      current.lines.push({n: Number(numbered[1]), text: numbered[2]!})
      continue
    }
    if (raw === '') continue
    throw new ParseError(`not a file marker or a numbered line: ${JSON.stringify(raw.slice(0, 60))}`, n)
  }
  return files
}
