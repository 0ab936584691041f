import fc from 'fast-check'
import type {TSchema} from '@sinclair/typebox'
import {expect} from 'vitest'

import {ParseError} from '../../inventory/kit/parse-error.js'
import {problemsOf} from '../../src/model/validate.js'

export const FUZZ_RUNS = 1000

/** Garbage of every kind a host could send: random text, random bytes read as UTF-8, CRLF, cut real output. */
export function garbage(samples: readonly string[]): fc.Arbitrary<string> {
  const real = samples.length > 0 ? samples : ['']
  const sample = fc.constantFrom(...real)
  return fc.oneof(
    fc.constant(''),
    fc.string({unit: 'grapheme', maxLength: 200}),
    fc.string({unit: 'binary', maxLength: 400}),
    fc.uint8Array({maxLength: 600}).map((b) => Buffer.from(b).toString('utf8')),
    sample.map((s) => s.replaceAll('\n', '\r\n')),
    fc.tuple(sample, fc.nat()).map(([s, n]) => s.slice(0, s.length === 0 ? 0 : n % (s.length + 1))),
    fc.tuple(sample, fc.nat(), fc.uint8Array({minLength: 1, maxLength: 8})).map(([s, n, b]) => {
      const i = s.length === 0 ? 0 : n % (s.length + 1)
      return s.slice(0, i) + Buffer.from(b).toString('latin1') + s.slice(i)
    }),
    fc.tuple(sample, fc.nat()).map(([s, n]) => {
      const ls = s.split('\n')
      if (ls.length > 1) ls.splice(n % ls.length, 1)
      return ls.join('\n')
    }),
  )
}

/**
 * A parser gives a result or throws ParseError, never anything else, whatever it is fed; when it gives
 * a result and a schema is named, the result matches the schema.
 */
export function assertParserSurvivesGarbage<T>(parse: (text: string) => T, samples: readonly string[], schema?: TSchema): void {
  fc.assert(
    fc.property(garbage(samples), (text) => {
      let result: T
      try {
        result = parse(text)
      } catch (error) {
        if (error instanceof ParseError) return true
        throw error
      }
      if (schema) expect(problemsOf(schema, result)).toEqual([])
      return true
    }),
    {numRuns: FUZZ_RUNS},
  )
}
