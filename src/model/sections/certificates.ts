import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/**
 * What became of a certificate file: `read` (its first certificate parsed), `missing` (a configuration names it and
 * it does not exist), `needsRoot` (it, or a folder on the way, cannot be read by the user that ran the probe),
 * `notCertificate` (no PEM certificate in it, or one that cannot be decoded).
 */
export const CERTIFICATE_STATES = ['read', 'missing', 'needsRoot', 'notCertificate'] as const

export const CertificateFileSchema = Obj({
  /** The file, as found or as the configuration names it. */
  path: Str(),
  state: StringEnum(CERTIFICATE_STATES),
  /** The configuration lines that name it (nginx ssl_certificate, apache SSLCertificateFile, postfix, dovecot, haproxy). */
  namedBy: Opt(Arr(Obj({file: Str(), line: NonNegInt()}))),
  /** Distinguished names, one attribute after another as the certificate holds them (`C=VN, O=…, CN=www.example.vn`). */
  subject: Opt(Str()),
  issuer: Opt(Str()),
  /** Subject alternative names (`DNS:www.example.vn`, `IP Address:10.0.0.1`). */
  san: Opt(Arr(Str())),
  /** ISO 8601 (UTC). */
  notBefore: Opt(Str()),
  notAfter: Opt(Str()),
  /** The public key's type (rsa, rsa-pss, ec, ed25519, ed448, dsa) and size in bits (the modulus, or the curve's size). */
  keyType: Opt(Str()),
  keyBits: Opt(NonNegInt()),
  /** The curve of an EC key (prime256v1, secp384r1…). */
  keyCurve: Opt(Str()),
  /** The signature algorithm (sha256WithRSAEncryption, ecdsa-with-SHA256, sha1WithRSAEncryption…). */
  signatureAlgorithm: Opt(Str()),
  /** Issuer and subject are the same and the certificate's own key verifies its signature: nobody else vouches for it. */
  selfSigned: Opt(Bool()),
  /** A certificate authority's certificate (basic constraints CA:TRUE), e.g. a local CA added to the host. */
  ca: Opt(Bool()),
  /** Serial number, hexadecimal as openssl prints it. */
  serial: Opt(Str()),
  /** SHA-256 fingerprint of the certificate (the same certificate on several hosts has the same one). */
  sha256: Opt(Str()),
})
export type CertificateFile = Static<typeof CertificateFileSchema>

export const CertificatesSchema = Obj({
  /**
   * The host's own certificates: files in /etc/ssl (not the links of the distribution's CA store, not
   * ca-certificates.crt, not /etc/ssl/private), /etc/pki/tls (not the ca-bundle), /etc/letsencrypt/live/NAME/cert.pem
   * and the files the web, mail and proxy servers' configurations name. The first certificate of each file.
   */
  files: Arr(CertificateFileSchema),
  /** Folders and configuration files that exist but cannot be read: what they hold is unknown. */
  unreadable: Opt(Arr(Str())),
  /** More files than the probe reads: the rest are not listed. */
  truncated: Opt(Bool()),
})
export type CertificatesData = Static<typeof CertificatesSchema>

export const certificatesSection = defineSection({
  id: 'certificates',
  title: 'Certificates',
  version: 1,
  schema: CertificatesSchema,
  upgrades: [],
})
