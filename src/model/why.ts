import type {Static} from '@sinclair/typebox'
import {Type} from './type-builder.js'

import {Arr, Obj, Opt, Str} from './schema-helpers.js'

/**
 * A reason in machine form: the id of a template (templates/reasons/*.yaml, one text per language) and its
 * parameters. A parameter whose name starts with `field` is a snapshot path (`accounts.loginDefs.passMaxDays`,
 * list items as `accounts.users[bob].uid`): the report shows its label in the reader's language. Every other
 * parameter is a value, shown as it is (it may come from a host: untrusted data, never markup).
 * The English `reason` next to it stays the log's and the JSON's plain form.
 */
const Id = Str({pattern: '^[a-z][a-zA-Z0-9]*(\\.[a-zA-Z0-9-]+)*$'})
const Params = Type.Record(Str(), Type.Union([Str(), Type.Number()]))
/** `t: all` with `of`: several reasons (the failed alternatives of an `any`), each rendered, joined by "; ". */
export const WhySchema = Obj({
  t: Id,
  p: Opt(Params),
  of: Opt(Arr(Obj({t: Id, p: Opt(Params)}), {minItems: 2})),
})
export type Why = Static<typeof WhySchema>
export type WhyParams = NonNullable<Why['p']>

/** A why of template `t` with parameters `p` (undefined ones left out). */
export function why(t: string, p?: Record<string, string | number | undefined>): Why {
  if (!p) return {t}
  const kept: WhyParams = {}
  for (const [k, v] of Object.entries(p)) if (v !== undefined) kept[k] = v
  return {t, p: kept}
}
