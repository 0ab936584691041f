/**
 * How PostgreSQL spells what migrations.ts and the store's queries write for SQLite. Pure.
 * Random bytes as hex: SQLite's lower(hex(randomblob(N))) → md5 of random() (PostgreSQL has no randomblob).
 * Types: BLOB → BYTEA, REAL → DOUBLE PRECISION, and INTEGER → BIGINT (SQLite's INTEGER is 64-bit: ids, sizes in bytes
 * and a writer's start in clock ticks since boot may pass 2^31).
 */
export function postgresStatement(sql: string): string {
  return sql
    // N random bytes as hex (a row's own: random() is drawn per row)
    .replace(/lower\(hex\(randomblob\((\d+)\)\)\)/g, (_, n: string) => `substr(md5(random()::text || clock_timestamp()::text), 1, ${2 * Number(n)})`).replace(/\bINTEGER\b/g, 'BIGINT').replace(/\bBLOB\b/g, 'BYTEA').replace(/\bREAL\b/g, 'DOUBLE PRECISION')
}

/**
 * A query as PostgreSQL takes it: `?` placeholders as $1, $2… (the store's queries hold no `?` in a literal), and
 * SQLite's group_concat(text, separator) as string_agg.
 */
export function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`).replace(/\bgroup_concat\(/g, 'string_agg(')
}
