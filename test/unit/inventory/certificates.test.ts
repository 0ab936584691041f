import {describe, expect, it} from 'vitest'

import {certificatesProbe, describeCertificate, isoFromCertificateDate, parseCertificateListing} from '../../../inventory/certificates.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {signatureAlgorithmOf} from '../../../inventory/kit/x509-signature-algorithm.js'
import {CertificatesSchema, type CertificateFile} from '../../../src/model/sections/certificates.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('certificates')
const interpret = (platform: string) => {
  const f = loadFixture(platform, 'certificates')
  return certificatesProbe.interpret(f.outputs, contextOf(f))
}
const byPath = (files: readonly CertificateFile[] | undefined) => new Map((files ?? []).map((f) => [f.path, f]))

describe('certificates probe on captured output', () => {
  it('has captures from several real systems, and of generated certificates (scripts/capture-certificates.sh)', () => {
    expect(fixtures.map((f) => f.platform)).toEqual(expect.arrayContaining(['debian-12-root', 'debian-12-user', 'debian-11-chroot', 'debian-13-chroot', 'debian-12-certs', 'debian-12-certs-user', 'debian-12-certs-good']))
  })

  for (const f of fixtures) {
    it(`${f.platform}: a valid section; no CA store link, no private key read out`, () => {
      const r = certificatesProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(CertificatesSchema, r.data)).toEqual([])
      const paths = r.data!.files.map((x) => x.path)
      expect(paths.filter((p) => /ca-certificates\.crt$|ca-bundle|\/etc\/ssl\/private\//.test(p))).toEqual([])
      expect(new Set(paths).size).toBe(paths.length)
      // every base64 block sent is a certificate, whole: nothing else of a file (a key beside it) is read out
      expect(stdoutOf(f, 'certificates')).not.toMatch(/PRIVATE KEY/)
      for (const file of parseCertificateListing(stdoutOf(f, 'certificates')).files) if (file.base64 !== undefined) expect(describeCertificate(file.base64), file.path).toBeDefined()
    })
  }

  it('reads what the generated certificates are, and which configuration names each', () => {
    const r = interpret('debian-12-certs')
    expect(r.status).toBe('ok')
    const files = byPath(r.data!.files)
    expect(files.get('/etc/ssl/certs/intranet.example.crt')).toMatchObject({
      state: 'read',
      subject: 'C=VN, O=Hatang Test, CN=intranet.example',
      san: ['DNS:intranet.example', 'DNS:www.intranet.example'],
      keyType: 'rsa',
      keyBits: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      selfSigned: true,
      namedBy: [{file: '/etc/nginx/sites-enabled/intranet', line: 4}],
    })
    expect(files.get('/etc/ssl/legacy/portal.crt')).toMatchObject({notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z', namedBy: [{file: '/etc/apache2/sites-enabled/portal.conf', line: 4}]})
    expect(files.get('/etc/pki/tls/certs/localhost.crt')).toMatchObject({keyBits: 1024, signatureAlgorithm: 'sha1WithRSAEncryption'})
    // issued by a local CA: not self-signed; the postfix chain file's first certificate is the same leaf
    const leaf = files.get('/etc/letsencrypt/live/mail.example/cert.pem')!
    expect(leaf).toMatchObject({keyType: 'ec', keyCurve: 'prime256v1', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: false, ca: false, issuer: 'O=Hatang Test, CN=Hatang Test CA'})
    expect(Date.parse(leaf.notAfter!) - Date.parse(leaf.notBefore!)).toBe(20 * 86_400_000)
    expect(files.get('/etc/letsencrypt/live/mail.example/fullchain.pem')).toMatchObject({sha256: leaf.sha256, namedBy: [{file: '/etc/postfix/main.cf', line: 1}]})
    // haproxy's PEM holds the key too: only the certificate is read
    expect(files.get('/etc/haproxy/certs/site.pem')).toMatchObject({keyBits: 3072, san: ['DNS:lb.example', 'IP Address:127.0.0.1'], namedBy: [{file: '/etc/haproxy/haproxy.cfg', line: 2}]})
    expect(files.get('/etc/ssl/certs/der-only.crt')).toEqual({path: '/etc/ssl/certs/der-only.crt', state: 'notCertificate'})
    expect(files.get('/etc/dovecot/private/dovecot.pem')).toEqual({path: '/etc/dovecot/private/dovecot.pem', state: 'missing', namedBy: [{file: '/etc/dovecot/conf.d/10-ssl.conf', line: 2}]})
  })

  it('as an ordinary user: what needs root says so per file, and the section is partial', () => {
    const r = interpret('debian-12-certs-user')
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^needs root to read \/etc\/letsencrypt\/live, /)
    const files = byPath(r.data!.files)
    expect(r.data!.unreadable).toEqual(['/etc/letsencrypt/live'])
    for (const p of ['/etc/haproxy/certs/site.pem', '/etc/letsencrypt/live/mail.example/fullchain.pem', '/etc/dovecot/private/dovecot.pem']) expect(files.get(p), p).toMatchObject({state: 'needsRoot'})
    // what anyone may read is read all the same
    expect(files.get('/etc/ssl/legacy/portal.crt')).toMatchObject({state: 'read', notAfter: '2021-01-01T00:00:00.000Z'})
  })

  it('a host without certificate folders (the debootstrap chroots) has none, and says so by an empty list', () => {
    for (const p of ['debian-11-chroot', 'debian-13-chroot']) expect(interpret(p)).toEqual({status: 'ok', data: {files: []}})
  })
})

describe('certificate listing', () => {
  it('rejects what is not its output; a certificate cut short; survives garbage', () => {
    expect(() => parseCertificateListing('subject=CN = x\n')).toThrow(ParseError)
    expect(() => parseCertificateListing('!file /a.pem\n!pem /a.pem\nMIIB\n')).toThrow(ParseError)
    expect(() => parseCertificateListing('!pem /a.pem\nMIIB\n!end\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseCertificateListing, fixtures.map((f) => stdoutOf(f, 'certificates')))
  })

  it('dates as openssl and Node print them; the signature algorithm of what is not a certificate is unknown', () => {
    expect(isoFromCertificateDate('Feb  1 00:00:00 2020 GMT')).toBe('2020-02-01T00:00:00.000Z')
    expect(isoFromCertificateDate('Dec 31 23:59:59 2049 GMT')).toBe('2049-12-31T23:59:59.000Z')
    expect(isoFromCertificateDate('2049-12-31')).toBeUndefined()
    expect(signatureAlgorithmOf(Buffer.from('not a certificate'))).toBeUndefined()
    expect(signatureAlgorithmOf(new Uint8Array([0x30, 0x82, 0xff]))).toBeUndefined()
  })
})
