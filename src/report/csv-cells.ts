import {stringify} from 'csv-stringify/sync'

/** A CSV file: RFC 4180 with CRLF, UTF-8 with a byte order mark so Excel reads Vietnamese right. */
export function csv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return stringify([header, ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : v)))], {bom: true, record_delimiter: '\r\n', quoted_match: /[\r\n",]/})
}

/** Spreadsheet formulas start with = + - @: a host's text must not run as one (CSV injection). */
export function cell(text: string | null | undefined): string {
  if (text === undefined || text === null) return ''
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}
