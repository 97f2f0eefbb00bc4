/**
 * Who sent a batch, proven: with mutual TLS, every batch a node sends carries a proof signed with
 * the node's TLS private key, and its certificate. The receiver accepts the batch as coming from
 * node `N` only if the certificate is issued by the cluster CA, is valid now, names `N` as its
 * subject CN, `N` is one of its configured peers, the signature covers this batch (sender,
 * recipient node, epoch, sequence number, time and the digest of its envelopes), the time is
 * within `MAX_SKEW_MILLIS` of the receiver's clock, and the (epoch, sequence) is newer than the
 * last accepted from `N` (a replayed batch is refused), and the certificate is not revoked by the
 * CA's CRL (`tls.crl`). The sender of each envelope is then that
 * proven node, never what the envelope says.
 *
 * Bounded: one replay record per configured peer; parsed certificates cached per peer.
 *
 * Internal to `src/transport/rpc`.
 */
import { createHash, createPrivateKey, randomBytes, sign, verify, X509Certificate } from "node:crypto"
import { Redacted, Result, Schema } from "effect"
import type { TlsCredentials } from "../../cluster/secure/TlsCredentials.ts"
import { normalizeSerial } from "./crl.ts"

/**
 * How far a batch's time may be from the receiver's clock, ms.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_SKEW_MILLIS = 60_000

/**
 * The proof a batch carries under mutual TLS.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BatchProof = Schema.Struct({
  node: Schema.String.check(Schema.isBetweenLength(1, 200)),
  epoch: Schema.String.check(Schema.isPattern(/^[0-9a-f]{16}$/)),
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  at: Schema.Int,
  cert: Schema.String.check(Schema.isBetweenLength(1, 16_384)),
  signature: Schema.String.check(Schema.isBetweenLength(1, 2_048))
})
/**
 * The proof a batch carries under mutual TLS.
 *
 * @since 0.1.0
 * @category models
 */
export type BatchProof = typeof BatchProof.Type

/**
 * Why a batch proof was refused.
 *
 * @since 0.1.0
 * @category models
 */
export type ProofRejection =
  | "missing"
  | "unknown-peer"
  | "bad-certificate"
  | "subject-mismatch"
  | "bad-signature"
  | "stale"
  | "replayed"
  | "revoked"

const digest = (proof: Omit<BatchProof, "cert" | "signature">, to: string, envelopes: ReadonlyArray<unknown>): Buffer =>
  Buffer.from(
    JSON.stringify([
      "mabeam-batch-v1",
      proof.node,
      to,
      proof.epoch,
      proof.seq,
      proof.at,
      createHash("sha256").update(JSON.stringify(envelopes)).digest("hex")
    ])
  )

/**
 * Signs the batches `node` sends: a fresh epoch per instance, a sequence number per batch.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProver = (tls: TlsCredentials, node: string) => {
  const key = createPrivateKey(Redacted.value(tls.key))
  const epoch = randomBytes(8).toString("hex")
  let seq = 0
  return (to: string, envelopes: ReadonlyArray<unknown>, at: number): BatchProof => {
    const body = { node, epoch, seq: seq++, at }
    return { ...body, cert: tls.cert, signature: sign("sha256", digest(body, to, envelopes), key).toString("base64") }
  }
}

const commonName = (cert: X509Certificate): string | undefined => {
  for (const line of cert.subject.split("\n")) if (line.startsWith("CN=")) return line.slice(3)
  return undefined
}

/**
 * Checks the proofs of batches received by `node` from its `peers`; a certificate whose serial
 * number is in `revoked` (from the CA's CRL) proves nothing (`"revoked"`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeVerifier = (
  tls: TlsCredentials,
  node: string,
  peers: ReadonlySet<string>,
  revoked: ReadonlySet<string> = new Set()
) => {
  const ca = new X509Certificate(tls.ca)
  const certs = new Map<string, { readonly pem: string; readonly cert: X509Certificate }>()
  const last = new Map<string, { readonly epoch: string; readonly seq: number; readonly at: number }>()

  const certificateOf = (peer: string, pem: string): X509Certificate | undefined => {
    const cached = certs.get(peer)
    if (cached !== undefined && cached.pem === pem) return cached.cert
    try {
      const cert = new X509Certificate(pem)
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return undefined
      certs.set(peer, { pem, cert })
      return cert
    } catch {
      return undefined
    }
  }

  return (
    proof: BatchProof | undefined,
    envelopes: ReadonlyArray<unknown>,
    now: number
  ): Result.Result<string, ProofRejection> => {
    if (proof === undefined) return Result.fail("missing")
    if (!peers.has(proof.node) || proof.node === node) return Result.fail("unknown-peer")
    const cert = certificateOf(proof.node, proof.cert)
    if (cert === undefined || now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo))
      return Result.fail("bad-certificate")
    if (commonName(cert) !== proof.node) return Result.fail("subject-mismatch")
    if (revoked.size > 0 && revoked.has(normalizeSerial(cert.serialNumber))) return Result.fail("revoked")
    if (Math.abs(now - proof.at) > MAX_SKEW_MILLIS) return Result.fail("stale")
    let valid = false
    try {
      valid = verify("sha256", digest(proof, node, envelopes), cert.publicKey, Buffer.from(proof.signature, "base64"))
    } catch {
      valid = false
    }
    if (!valid) return Result.fail("bad-signature")
    const previous = last.get(proof.node)
    if (
      previous !== undefined &&
      (proof.epoch === previous.epoch ? proof.seq <= previous.seq : proof.at <= previous.at)
    ) {
      return Result.fail("replayed")
    }
    last.set(proof.node, { epoch: proof.epoch, seq: proof.seq, at: proof.at })
    return Result.succeed(proof.node)
  }
}
