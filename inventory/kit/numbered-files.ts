import {ParseError} from './parse-error.js'
import {lines, type End} from './probe-helpers.js'

/**
 * Configuration files read whole, with their line numbers: `!file PATH` then the file's lines, numbered (`N:text`, as
 * `grep -n ''` prints them), `!masked PATH` for a link to /dev/null (systemd's and kmod's way to mask a file),
 * `!denied PATH` for one that cannot be read, in the order the paths list them. Paths may be globs; what does not
 * exist prints nothing. The shell only sorts the paths out; one awk reads every file (one process a host's probe, not
 * one a file: /etc/sysctl.d and its four sibling folders hold six files on a plain Debian 12). `end`: as in needs().
 */
export function numberedFilesCommand(paths: readonly string[], end: End = 'exit'): string {
  return [
    'set --',
    `for f in ${paths.join(' ')}; do`,
    '  if [ -L "$f" ] && [ "$(readlink -f "$f")" = /dev/null ]; then set -- "$@" "!masked $f"',
    '  elif [ -f "$f" ]; then if [ -r "$f" ]; then set -- "$@" "$f"; else set -- "$@" "!denied $f"; fi',
    '  fi',
    'done',
    // markers are printed as they are; a path (always absolute) is read, its lines numbered
    `[ $# -eq 0 ] || awk 'BEGIN { for (i = 1; i < ARGC; i++) { f = ARGV[i]; if (substr(f, 1, 1) == "!") { print f; continue }; print "!file " f; n = 0; while ((getline l < f) > 0) print ++n ":" l; close(f) } }' "$@"`,
    `${end} 0`,
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
