/** Text for HTML, XML and SVG, in content or in a quoted attribute: & < > " ' become entities. */
export function escapeXml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]!)
}

/**
 * JSON to embed in `<script type="application/json">`: `<`, `>`, `&` and the JavaScript line separators are
 * written as \u escapes, so no string in the data can close the element (`</script>`) or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
