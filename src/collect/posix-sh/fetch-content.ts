import type {WantedContent} from '../../../inventory/kit/content.js'
import {shQuote} from '../../model/shell-quote.js'
import type {CommandTransport} from '../../transport/transport.js'
import type {FetchedContent} from '../indexes/content-store.js'

const FETCH_TIMEOUT_MS = 120_000

/**
 * The command that sends one file as base64: as stored when the controller reads its compression (lz4, gzip), else
 * decompressed on the host and gzipped (xz, zstd, bzip2), and an uncompressed file gzipped when gzip is there. The
 * first line says the format.
 */
export function fetchCommand(file: string): string {
  const f = shQuote(file)
  const send = (format: string, producer: string) => `printf '#format ${format}\\n'; ${producer} | base64`
  const gz = (producer: string) => `if command -v gzip >/dev/null 2>&1; then ${send('gz', `${producer} | gzip -1c`)}; else ${send('plain', producer)}; fi`
  const m = /\.(lz4|gz|xz|lzma|zst|bz2)$/.exec(file)
  const body =
    m?.[1] === 'lz4' ? send('lz4', `cat ${f}`)
    : m?.[1] === 'gz' ? send('gz', `cat ${f}`)
    : m?.[1] === 'xz' || m?.[1] === 'lzma' ? gz(`xz -dc ${f}`)
    : m?.[1] === 'zst' ? gz(`zstd -dcq ${f}`)
    : m?.[1] === 'bz2' ? gz(`bzip2 -dc ${f}`)
    : gz(`cat ${f}`)
  // a pipe that fails midway sends less: the hash, checked on the controller, tells
  return `LC_ALL=C; export LC_ALL; [ -r ${f} ] || { echo 'cannot read the file' >&2; exit 2; }; ${body}`
}

/** Reads one file of the host through the transport (one round trip). Throws an Error saying why it could not. */
export async function fetchContent(transport: CommandTransport, want: WantedContent): Promise<FetchedContent> {
  const r = await transport.exec(fetchCommand(want.path), {timeoutMs: FETCH_TIMEOUT_MS})
  if (r.timedOut) throw new Error(`reading ${want.path} timed out`)
  if (r.truncated) throw new Error(`${want.path} is larger than a command's output may be`)
  const nl = r.stdout.indexOf('\n')
  const format = /^#format (lz4|gz|plain)$/.exec(r.stdout.slice(0, nl))?.[1] as FetchedContent['format'] | undefined
  if (r.exitCode !== 0 || !format) throw new Error(`reading ${want.path}: exit ${r.exitCode ?? 'killed'}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]!.slice(0, 200)}` : ''}`)
  return {bytes: Buffer.from(r.stdout.slice(nl + 1), 'base64'), format}
}
