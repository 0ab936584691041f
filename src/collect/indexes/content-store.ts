import {createHash} from 'node:crypto'
import {readdir, readFile, stat, unlink, utimes} from 'node:fs/promises'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'

import type {ContentKind, WantedContent} from '../../../inventory/kit/content.js'
import {ensureDir} from '../../files/make-dir.js'
import {writeFileAtomic} from '../../files/write-atomic.js'
import {hatangCacheDir} from '../../files/xdg.js'
import {decodeLz4Frames} from './lz4-frame.js'

/** A file as a host sent it: its bytes and how they are compressed. */
export interface FetchedContent {
  bytes: Buffer
  format: 'lz4' | 'gz' | 'plain'
}

const DEFAULT_MAX_MB = 256

function decode(fetched: FetchedContent): Buffer {
  if (fetched.format === 'lz4') return decodeLz4Frames(fetched.bytes)
  if (fetched.format === 'gz') return gunzipSync(fetched.bytes)
  return fetched.bytes
}

/**
 * The controller's copies of contents known by their SHA-256 (package indexes): in memory, loaded once per process
 * and shared by every host of a sweep; on disk, as the probe's digest, in the cache folder, bounded in size (the
 * least recently used go first). A content is asked of a host only when no copy of its hash is here; hosts that want
 * the same content meanwhile wait for that one answer. What a host sends is kept only if its hash is the one asked.
 */
export class ContentStore {
  private readonly loaded = new Map<string, unknown>()
  private readonly inFlight = new Map<string, Promise<unknown>>()
  /** What was done, for benchmarks and tests: contents read from hosts, from the disk cache, from memory. */
  readonly counts = {fetched: 0, fromDisk: 0, fromMemory: 0}

  constructor(
    /** The cache folder; undefined keeps copies in memory only. */
    readonly dir: string | undefined,
    readonly maxBytes = DEFAULT_MAX_MB * 1024 * 1024,
  ) {}

  async get<T>(kind: ContentKind<T>, want: WantedContent, fetch: () => Promise<FetchedContent>): Promise<T> {
    if (!/^[0-9a-f]{64}$/.test(want.sha256)) throw new Error(`not a SHA-256: ${JSON.stringify(want.sha256.slice(0, 80))}`)
    const key = `${kind.id}-v${kind.version}-${want.sha256}`
    if (this.loaded.has(key)) {
      this.counts.fromMemory++
      return this.loaded.get(key) as T
    }
    const running = this.inFlight.get(key)
    if (running) {
      // another host is reading the same content: its answer serves here too; if it failed, read it from this host
      try {
        const value = (await running) as T
        this.counts.fromMemory++
        return value
      } catch {}
    }
    const job = this.read(kind, want, key, fetch)
    this.inFlight.set(key, job)
    try {
      const value = await job
      this.loaded.set(key, value)
      return value
    } finally {
      if (this.inFlight.get(key) === job) this.inFlight.delete(key)
    }
  }

  private file(key: string): string | undefined {
    return this.dir === undefined ? undefined : path.join(this.dir, `${key}.txt`)
  }

  private async read<T>(kind: ContentKind<T>, want: WantedContent, key: string, fetch: () => Promise<FetchedContent>): Promise<T> {
    const file = this.file(key)
    if (file) {
      const cached = await readFile(file, 'utf8').catch(() => undefined)
      if (cached !== undefined) {
        this.counts.fromDisk++
        const now = new Date()
        await utimes(file, now, now).catch(() => {})
        return kind.load(cached)
      }
    }
    const content = decode(await fetch())
    const hash = createHash('sha256').update(content).digest('hex')
    if (hash !== want.sha256 || (want.size !== undefined && content.length !== want.size))
      throw new Error(`${want.path} does not match its index: SHA-256 ${hash.slice(0, 12)}…, ${content.length} bytes; expected ${want.sha256.slice(0, 12)}…${want.size === undefined ? '' : `, ${want.size} bytes`}`)
    this.counts.fetched++
    const digest = kind.digest(content)
    if (file) await this.keep(file, digest)
    return kind.load(digest)
  }

  /** Writes a digest to the cache folder and removes the least recently used ones beyond the bound; a cache that cannot be written is only a slower next run. */
  private async keep(file: string, digest: string): Promise<void> {
    try {
      await ensureDir(this.dir!)
      await writeFileAtomic(file, digest)
      const names = (await readdir(this.dir!)).filter((n) => n.endsWith('.txt'))
      const entries = await Promise.all(names.map(async (n) => ({path: path.join(this.dir!, n), st: await stat(path.join(this.dir!, n)).catch(() => undefined)})))
      const present = entries.filter((e) => e.st !== undefined).sort((a, b) => a.st!.mtimeMs - b.st!.mtimeMs)
      let total = present.reduce((sum, e) => sum + e.st!.size, 0)
      for (const e of present) {
        if (total <= this.maxBytes) break
        if (e.path === file) continue
        await unlink(e.path).catch(() => {})
        total -= e.st!.size
      }
    } catch {
      // read-only home, full disk: the digest stays in memory for this run
    }
  }
}

let shared: ContentStore | undefined

/** The process's store, in $XDG_CACHE_HOME/hatang/indexes, bounded by $HATANG_CACHE_MAX_MB (default 256). */
export function sharedContentStore(env: NodeJS.ProcessEnv = process.env): ContentStore {
  const mb = Number(env.HATANG_CACHE_MAX_MB)
  shared ??= new ContentStore(path.join(hatangCacheDir(env), 'indexes'), (Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_MAX_MB) * 1024 * 1024)
  return shared
}
