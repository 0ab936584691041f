/** A template or locale file that cannot be read, compiled or run: the organisation's (--template) or, if none, a bug. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError'
}
