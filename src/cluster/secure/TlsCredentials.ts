/**
 * The TLS credentials of a runner in a mutually authenticated cluster, and their checks.
 *
 * Every runner holds a certificate and private key issued by the cluster's own CA, and trusts
 * only that CA (never the system roots). The checks here run when a runner starts, so a
 * misconfigured runner fails at once with a typed error instead of being silently refused by
 * its peers later.
 *
 * @since 0.2.0
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto"
import { Effect, Redacted, Schema } from "effect"

/**
 * PEM-encoded credentials of one runner.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsCredentials {
  /** The cluster CA certificate: the only trust anchor for peers (PEM). */
  readonly ca: string
  /** This runner's certificate, issued by `ca`; it must name the runner's host (PEM). */
  readonly cert: string
  /** This runner's private key (PEM), redacted so it is not logged by accident. */
  readonly key: Redacted.Redacted<string>
  /**
   * The CA's certificate revocation list (PEM), if any: a peer whose certificate it lists is
   * refused. Without it, evicting a runner means rotating the CA.
   */
  readonly crl?: string | undefined
}

/**
 * The runner's TLS credentials are unusable. `reason`: `"unreadable"` (not valid PEM),
 * `"key-mismatch"` (the key is not the certificate's), `"not-issued-by-ca"` (the certificate
 * does not verify against `ca`), `"expired"` (outside its validity period), `"wrong-host"`
 * (the certificate does not name the runner's advertised host, so peers would refuse it).
 *
 * @since 0.1.0
 * @category errors
 */
export class TlsCredentialsError extends Schema.TaggedError<TlsCredentialsError>()("TlsCredentialsError", {
  reason: Schema.Literals(["unreadable", "key-mismatch", "not-issued-by-ca", "expired", "wrong-host"]),
  detail: Schema.String
}) {
  override get message(): string {
    return `runner TLS credentials rejected (${this.reason}): ${this.detail}`
  }
}

const parse = (credentials: TlsCredentials) =>
  Effect.try({
    try: (): { readonly ca: X509Certificate; readonly cert: X509Certificate; readonly key: KeyObject } => ({
      ca: new X509Certificate(credentials.ca),
      cert: new X509Certificate(credentials.cert),
      key: createPrivateKey(Redacted.value(credentials.key))
    }),
    catch: (cause) => new TlsCredentialsError({ reason: "unreadable", detail: String(cause) })
  })

const isIp = (host: string) => /^[0-9.]+$/.test(host) || host.includes(":")

/**
 * Checks `credentials` before use: readable PEM, the key matches the certificate, the
 * certificate is issued by `ca` and currently valid, and (when `host` is given) it names `host`
 * as an IP or DNS subject alternative name.
 *
 * @since 0.1.0
 * @category utils
 */
export const verify = (
  credentials: TlsCredentials,
  options: { readonly host?: string | undefined; readonly now?: number } = {}
) =>
  Effect.gen(function* () {
    const { ca, cert, key } = yield* parse(credentials)
    if (!cert.checkPrivateKey(key)) {
      return yield* new TlsCredentialsError({ reason: "key-mismatch", detail: `key does not match ${cert.subject}` })
    }
    if (!cert.verify(ca.publicKey)) {
      return yield* new TlsCredentialsError({
        reason: "not-issued-by-ca",
        detail: `${cert.subject} is not signed by ${ca.subject}`
      })
    }
    const now = options.now ?? Date.now()
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) {
      return yield* new TlsCredentialsError({ reason: "expired", detail: `valid ${cert.validFrom} to ${cert.validTo}` })
    }
    const host = options.host
    if (host !== undefined) {
      const named = isIp(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined
      if (!named) {
        return yield* new TlsCredentialsError({
          reason: "wrong-host",
          detail: `${cert.subjectAltName ?? cert.subject} does not name ${host}`
        })
      }
    }
  })
