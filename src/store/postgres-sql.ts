import type {ClientBase, Pool} from 'pg'

import {numbered} from './postgres-dialect.js'

type Value = string | number | Buffer | null

/** The store's queries (with `?` placeholders) on a pg client or pool: all rows, the first row, or the rows changed. */
export interface PgSql {
  all<T>(sql: string, values?: readonly Value[]): Promise<T[]>
  get<T>(sql: string, values?: readonly Value[]): Promise<T | undefined>
  run(sql: string, values?: readonly Value[]): Promise<number>
}

export function pgSql(on: ClientBase | Pool): PgSql {
  const query = (sql: string, values: readonly Value[] = []) => on.query(numbered(sql), values as Value[])
  return {
    all: async <T>(sql: string, values?: readonly Value[]) => (await query(sql, values)).rows as T[],
    get: async <T>(sql: string, values?: readonly Value[]) => (await query(sql, values)).rows[0] as T | undefined,
    run: async (sql, values) => (await query(sql, values)).rowCount ?? 0,
  }
}
