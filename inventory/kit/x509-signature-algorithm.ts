/**
 * The signature algorithm of a DER certificate (Node's X509Certificate does not give it in Node 20): the OID of
 * `Certificate.signatureAlgorithm` (RFC 5280 4.1.1.2), named as openssl names it.
 */
const NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
}

/** One DER element's header at `at`: where its content starts and ends; undefined when it runs past the end. */
function element(der: Uint8Array, at: number): {tag: number; start: number; end: number} | undefined {
  if (at + 2 > der.length) return undefined
  const tag = der[at]!
  let length = der[at + 1]!
  let start = at + 2
  if (length & 0x80) {
    const n = length & 0x7f
    if (n === 0 || n > 4 || start + n > der.length) return undefined
    length = 0
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!
    start += n
  }
  const end = start + length
  return end <= der.length ? {tag, start, end} : undefined
}

function oidText(bytes: Uint8Array): string {
  const parts: number[] = []
  let value = 0
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f)
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80)
      else parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}

/** The certificate's signature algorithm (openssl's name, else the dotted OID); undefined when the DER is not a certificate's. */
export function signatureAlgorithmOf(der: Uint8Array): string | undefined {
  const SEQUENCE = 0x30
  const OID = 0x06
  const cert = element(der, 0)
  if (!cert || cert.tag !== SEQUENCE) return undefined
  const tbs = element(der, cert.start)
  if (!tbs || tbs.tag !== SEQUENCE) return undefined
  const algorithm = element(der, tbs.end)
  if (!algorithm || algorithm.tag !== SEQUENCE) return undefined
  const oid = element(der, algorithm.start)
  if (!oid || oid.tag !== OID) return undefined
  const dotted = oidText(der.subarray(oid.start, oid.end))
  return NAMES[dotted] ?? dotted
}
