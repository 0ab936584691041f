/**
 * Files a probe needs beyond its commands' output, known by the SHA-256 of their content (the hash a signed index
 * gives, such as an apt Release file's for its Packages lists). The runner gets each from the controller's cache, or
 * once from the host when no copy of that content is cached, and checks the hash before anything is kept: the same
 * content is read once for a whole fleet, and no host can make another host's answer.
 */
export interface WantedContent {
  /** Lower-case hex SHA-256 of the content, uncompressed. */
  sha256: string
  /** Where the host keeps it (compressed as `.lz4`, `.gz`, `.xz`, `.zst`, `.bz2` or `.lzma`, or not). */
  path: string
  /** Its size uncompressed, in bytes, when the index gives it. */
  size?: number
}

/**
 * What a probe keeps of such a file: a digest (text, small, stored in the cache) and how to load it for use. The id
 * and version name the digest's format: a new version makes older digests unused.
 */
export interface ContentKind<T> {
  readonly id: string
  readonly version: number
  /** From the content's bytes (a list can be tens of MB: read it without making one string of it). */
  digest(content: Buffer): string
  load(digest: string): T
  /** What a captured fixture keeps of a digest: the part the probe's outputs can use (a fixture stays small). */
  sample(digest: string, outputs: Readonly<Record<string, {stdout: string}>>): string
}
