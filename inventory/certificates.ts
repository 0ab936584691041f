import {X509Certificate} from 'node:crypto'

import {BoundedMap} from './kit/bounded-map.js'
import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines} from './kit/probe-helpers.js'
import {signatureAlgorithmOf} from './kit/x509-signature-algorithm.js'
import {certificatesSection, type CertificateFile, type CertificatesData} from '../src/model/sections/certificates.js'

/**
 * The host's own TLS certificates, read without openssl (one openssl process costs more CPU than this whole probe):
 * the shell lists the files, one awk copies the base64 lines of the first certificate of each, and the collector
 * decodes them (node:crypto). Only `BEGIN CERTIFICATE` blocks are copied, and a block stops at the next `-----` line:
 * a private key in the same file (haproxy's PEM) is never read out.
 */

/** The active configurations of the servers that name their certificate files (the enabled sites, not the available ones). */
export const CERTIFICATE_CONFIGS = [
  '/etc/nginx/nginx.conf',
  '/etc/nginx/conf.d/*.conf',
  '/etc/nginx/sites-enabled/*',
  '/etc/apache2/sites-enabled/*',
  '/etc/apache2/conf-enabled/*',
  '/etc/httpd/conf/httpd.conf',
  '/etc/httpd/conf.d/*.conf',
  '/etc/postfix/main.cf',
  '/etc/dovecot/dovecot.conf',
  '/etc/dovecot/conf.d/*.conf',
  '/etc/haproxy/haproxy.cfg',
]

/**
 * Where the host's own certificates lie. The distribution's CA store is left out: its links in /etc/ssl/certs and
 * /etc/pki/tls (every link there but Let's Encrypt's), ca-certificates.crt, the ca-bundle; /etc/ssl/private holds keys.
 */
export const CERTIFICATE_FILES = ['/etc/ssl/*.pem', '/etc/ssl/*.crt', '/etc/ssl/*/*.pem', '/etc/ssl/*/*.crt', '/etc/pki/tls/*.pem', '/etc/pki/tls/certs/*.pem', '/etc/pki/tls/certs/*.crt', '/etc/letsencrypt/live/*/cert.pem']
const SKIPPED = ['/etc/ssl/private/*', '/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle*']
/** Folders whose content is unknown when they cannot be read. */
const FOLDERS = ['/etc/ssl', '/etc/pki/tls', '/etc/letsencrypt/live', '/etc/nginx', '/etc/apache2', '/etc/httpd', '/etc/postfix', '/etc/dovecot', '/etc/haproxy']
/** At most this many files are read. */
export const MAX_CERTIFICATE_FILES = 40
/** Lines of base64 copied per certificate (a certificate is 20 to 40; 200 is 15 kB). */
const MAX_PEM_LINES = 200

/** Prints `!named PATH FILE:LINE` for each certificate file a configuration line names (absolute paths without variables). */
const NAMED_AWK = [
  '{ sub(/^[ \\t]+/, ""); k = tolower($1); p = "" }',
  'k == "ssl_certificate" || k == "sslcertificatefile" { p = $2 }',
  '/^(smtpd_tls_cert_file|ssl_cert|ssl_server_cert_file)[ \\t]*=/ { p = $0; sub(/^[^=]*=[ \\t]*<?/, "", p); sub(/[ \\t].*/, "", p) }',
  'k == "bind" { for (i = 2; i < NF; i++) if ($i == "crt") { p = $(i + 1); break } }',
  `p != "" { gsub(/["';]/, "", p); if (p ~ /^\\/[^$]*$/ && ++n <= 100) print "!named " p " " FILENAME ":" FNR }`,
].join('\n')

/** Prints `!pem PATH`, the base64 lines of the file's first certificate and `!end`. */
const PEM_AWK = [
  'FNR == 1 { if (inside) print "!end"; inside = 0; done = 0 }',
  'done { next }',
  'inside && /^-----/ { print "!end"; inside = 0; done = 1; next }',
  `inside && /^[A-Za-z0-9+\\/=]+\\r?$/ && ++n <= ${MAX_PEM_LINES} { sub(/\\r$/, ""); print }`,
  '/^-----BEGIN CERTIFICATE-----/ { inside = 1; n = 0; print "!pem " FILENAME }',
  'END { if (inside) print "!end" }',
].join('\n')

const q = (awk: string) => `'${awk.replaceAll("'", "'\\''")}'`

/** One command: the shell tests and lists (builtins), one awk reads the configurations, one the certificates. */
export const CERTIFICATES_COMMAND = [
  'nl=\'\n\'',
  'files=$nl',
  `for d in ${FOLDERS.join(' ')}; do`,
  '  if [ -d "$d" ] && ! { [ -r "$d" ] && [ -x "$d" ]; }; then echo "!unreadable $d"; fi',
  'done',
  // files are added once each, up to the bound; a folder is skipped, one that cannot be read is said
  'add() {',
  '  case $files in *"$nl$1$nl"*) return ;; esac',
  `  if [ "$count" -ge ${MAX_CERTIFICATE_FILES} ]; then more=1; return; fi`,
  '  if [ -d "$1" ]; then return',
  '  elif [ -f "$1" ] && [ -r "$1" ]; then echo "!file $1"; files="$files$1$nl"; count=$((count + 1))',
  '  elif [ -e "$1" ]; then echo "!denied $1"',
  // not found: missing when its folder can be searched; else it may be hidden from this user
  '  elif [ -d "${1%/*}" ] && [ -x "${1%/*}" ]; then echo "!missing $1"',
  '  else echo "!absent $1"',
  '  fi',
  '}',
  'count=0; more=',
  'set --',
  `for f in ${CERTIFICATE_CONFIGS.join(' ')}; do`,
  '  [ -f "$f" ] || continue',
  '  if [ -r "$f" ]; then set -- "$@" "$f"; else echo "!unreadable $f"; fi',
  'done',
  `named=; [ $# -eq 0 ] || named=$(awk ${q(NAMED_AWK)} "$@")`,
  `for f in ${CERTIFICATE_FILES.join(' ')}; do`,
  `  case $f in ${SKIPPED.join('|')}) continue ;; esac`,
  '  case $f in /etc/letsencrypt/*) ;; *) [ -L "$f" ] && continue ;; esac',
  '  [ -e "$f" ] && add "$f"',
  'done',
  'set -f; IFS=$nl',
  'for line in $named; do',
  '  echo "$line"',
  '  f=${line#!named }; add "${f%% *}"',
  'done',
  '[ -z "$more" ] || echo "!more"',
  `[ "$count" -eq 0 ] || awk ${q(PEM_AWK)} $files`,
  'exit 0',
].join('\n')

export interface CertificateListing {
  /** The files read, in order, with the base64 of their first certificate (absent when they hold none). */
  files: {path: string; base64?: string}[]
  named: {path: string; file: string; line: number}[]
  missing: string[]
  /** Not found, in a folder that cannot be searched or does not exist: missing for root, perhaps hidden for a user. */
  absent: string[]
  /** Certificate files that cannot be read. */
  denied: string[]
  /** Folders and configuration files that cannot be read. */
  unreadable: string[]
  truncated: boolean
}

/** Parses the command's output into what it listed (no decoding). */
export function parseCertificateListing(text: string): CertificateListing {
  const out: CertificateListing = {files: [], named: [], missing: [], absent: [], denied: [], unreadable: [], truncated: false}
  const byPath = new Map<string, {path: string; base64?: string}>()
  let pem: {path: string; lines: string[]} | undefined
  let n = 0
  for (const line of lines(text)) {
    n++
    if (pem) {
      if (line === '!end') {
        const file = byPath.get(pem.path)
        if (!file) throw new ParseError(`a certificate of a file not listed: ${JSON.stringify(pem.path.slice(0, 80))}`, n)
        file.base64 = pem.lines.join('')
        pem = undefined
      } else if (/^[A-Za-z0-9+/=]+$/.test(line)) pem.lines.push(line)
      else throw new ParseError(`not base64 inside a certificate: ${JSON.stringify(line.slice(0, 60))}`, n)
      continue
    }
    const m = /^!(file|pem|denied|missing|absent|unreadable) (\/.*)$/.exec(line)
    if (m) {
      const [, kind, path] = m as unknown as [string, string, string]
      if (kind === 'file') {
        const file = {path}
        byPath.set(path, file)
        out.files.push(file)
      } else if (kind === 'pem') pem = {path, lines: []}
      else if (kind === 'denied') out.denied.push(path)
      else if (kind === 'unreadable') out.unreadable.push(path)
      else if (kind === 'absent') out.absent.push(path)
      else out.missing.push(path)
      continue
    }
    const named = /^!named (\/\S*) (\/.*):(\d+)$/.exec(line)
    if (named) out.named.push({path: named[1]!, file: named[2]!, line: Number(named[3])})
    else if (line === '!more') out.truncated = true
    else if (line !== '') throw new ParseError(`not a marker of the certificates command: ${JSON.stringify(line.slice(0, 60))}`, n)
  }
  if (pem) throw new ParseError(`the certificate of ${JSON.stringify(pem.path.slice(0, 80))} is cut short`)
  return out
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** `Dec 31 23:59:59 2049 GMT` (openssl's, and Node's, form of a certificate date) as ISO 8601. */
export function isoFromCertificateDate(text: string): string | undefined {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(text.trim())
  const month = m ? MONTHS.indexOf(m[1]!) : -1
  if (!m || month < 0) return undefined
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]))).toISOString()
}

const CURVE_BITS: Record<string, number> = {prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224, brainpoolP256r1: 256, brainpoolP384r1: 384, brainpoolP512r1: 512}
const EDWARDS_BITS: Record<string, number> = {ed25519: 256, ed448: 456}

type Described = Omit<CertificateFile, 'path' | 'state' | 'namedBy'>

/**
 * Certificates already described, by their base64: the same certificate (an organisation's CA, a shared bundle) is on
 * many hosts of a sweep, and decoding one and checking its signature cost the controller ~1.5 ms.
 */
const described = new BoundedMap<string, Described | undefined>(4096)

/** What a certificate says of itself; undefined when the base64 is not a certificate Node can decode. */
export function describeCertificate(base64: string): Described | undefined {
  if (!described.has(base64)) described.set(base64, decodeCertificate(base64))
  const d = described.get(base64)
  return d && (d.san ? {...d, san: [...d.san]} : {...d})
}

function decodeCertificate(base64: string): Described | undefined {
  const der = Buffer.from(base64, 'base64')
  let x: X509Certificate
  try {
    x = new X509Certificate(der)
  } catch {
    return undefined
  }
  const d: Described = {
    subject: x.subject.split('\n').join(', '),
    issuer: x.issuer.split('\n').join(', '),
    san: x.subjectAltName ? x.subjectAltName.split(/, (?=[A-Za-z ]+:)/) : [],
    ca: x.ca,
    serial: x.serialNumber,
    sha256: x.fingerprint256,
  }
  const notBefore = isoFromCertificateDate(x.validFrom)
  const notAfter = isoFromCertificateDate(x.validTo)
  if (notBefore) d.notBefore = notBefore
  if (notAfter) d.notAfter = notAfter
  const signature = signatureAlgorithmOf(der)
  if (signature) d.signatureAlgorithm = signature
  try {
    const key = x.publicKey
    const type = key.asymmetricKeyType
    const details = key.asymmetricKeyDetails
    if (type) d.keyType = type
    if (details?.modulusLength) d.keyBits = details.modulusLength
    if (details?.namedCurve) {
      d.keyCurve = details.namedCurve
      if (CURVE_BITS[details.namedCurve]) d.keyBits = CURVE_BITS[details.namedCurve]
    }
    if (type && EDWARDS_BITS[type]) d.keyBits = EDWARDS_BITS[type]
    d.selfSigned = x.subject === x.issuer && x.verify(key)
  } catch {
    // a key type this Node cannot load: its type and size stay unknown, and so does self-signed
  }
  return d
}

/**
 * The section from the listing: every file listed or named, with what its certificate says. A file not found where
 * the user cannot look is missing for root, and needs root for anyone else.
 */
export function certificatesOf(listing: CertificateListing, privileged: boolean): CertificatesData {
  const files: CertificateFile[] = []
  const namedBy = (path: string) => listing.named.filter((n) => n.path === path).map(({file, line}) => ({file, line}))
  const withNames = (f: CertificateFile): CertificateFile => {
    const by = namedBy(f.path)
    return by.length > 0 ? {...f, namedBy: by} : f
  }
  for (const f of listing.files) {
    const described = f.base64 === undefined ? undefined : describeCertificate(f.base64)
    files.push(withNames(described ? {path: f.path, state: 'read', ...described} : {path: f.path, state: 'notCertificate'}))
  }
  for (const path of listing.denied) files.push(withNames({path, state: 'needsRoot'}))
  for (const path of listing.missing) files.push(withNames({path, state: 'missing'}))
  for (const path of listing.absent) files.push(withNames({path, state: privileged ? 'missing' : 'needsRoot'}))
  return {files, ...(listing.unreadable.length > 0 ? {unreadable: listing.unreadable} : {}), ...(listing.truncated ? {truncated: true} : {})}
}

export const certificatesProbe = defineProbe({
  section: certificatesSection,
  platforms: ['Linux'],
  commands: {certificates: CERTIFICATES_COMMAND},
  interpret(out, context) {
    const fail = failure(out.certificates, 'certificates')
    if (fail) return fail
    const data = certificatesOf(parseCertificateListing(out.certificates!.stdout), context.privileged)
    const needsRoot = data.files.filter((f) => f.state === 'needsRoot').map((f) => f.path)
    const unknown = [...(data.unreadable ?? []), ...needsRoot]
    if (unknown.length > 0) return {status: 'partial', reason: `${context.privileged ? 'cannot read' : 'needs root to read'} ${unknown.join(', ')}`, data}
    if (data.truncated) return {status: 'partial', reason: `more than ${MAX_CERTIFICATE_FILES} certificate files: the rest are not listed`, data}
    return {status: 'ok', data}
  },
})
