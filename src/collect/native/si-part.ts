import {createRequire} from 'node:module'

type Systeminformation = typeof import('systeminformation')

const requireHere = createRequire(import.meta.url)

/**
 * The functions a native collector uses, from the one part of systeminformation that holds them (`lib/cpu.js`,
 * `lib/memory.js`…): the library's index loads all of its 22 parts, ~47 ms of CPU at every local collection, where a
 * collector needs one (~7 ms). Where that part is not found or lacks a function (a library laid out otherwise), the
 * whole library, as before.
 */
export function siPart<K extends keyof Systeminformation>(part: string, names: readonly K[]): Pick<Systeminformation, K> {
  try {
    const mod = requireHere(`systeminformation/lib/${part}.js`) as Partial<Systeminformation>
    if (names.every((n) => typeof mod[n] === 'function')) return mod as Pick<Systeminformation, K>
  } catch {
    // not this layout: the whole library below
  }
  return requireHere('systeminformation') as Systeminformation
}
