/**
 * The serial numbers a certificate revocation list (PEM, X.509 v2 CRL) revokes, read with a small
 * DER walker (node:crypto parses certificates but not CRLs), after checking that the CRL is signed
 * by the cluster CA (RSA PKCS#1 v1.5, ECDSA with SHA-256/384/512, Ed25519 or Ed448): an unsigned,
 * altered or foreign-signed CRL is refused, so no one who can reach the configuration without the
 * CA key can slip in a list of their choosing.
 *
 * Internal to `src/transport/rpc`.
 */
import { verify, type X509Certificate } from "node:crypto"
import { Result } from "effect"

interface Tlv {
  readonly tag: number
  /** Where the TLV (its header) begins. */
  readonly offset: number
  /** Where its content begins. */
  readonly start: number
  readonly end: number
}

/** The TLV at `offset` of `der`, or undefined when it does not fit. */
const tlv = (der: Uint8Array, offset: number, limit: number): Tlv | undefined => {
  if (offset + 2 > limit) return undefined
  const tag = der[offset] as number
  let length = der[offset + 1] as number
  let header = 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    if (bytes === 0 || bytes > 4 || offset + 2 + bytes > limit) return undefined
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[offset + 2 + i] as number)
    header += bytes
  }
  const end = offset + header + length
  return end > limit ? undefined : { tag, offset, start: offset + header, end }
}

/** The children of a constructed TLV. */
const children = (der: Uint8Array, parent: Tlv): Array<Tlv> | undefined => {
  const out: Array<Tlv> = []
  for (let offset = parent.start; offset < parent.end; ) {
    const child = tlv(der, offset, parent.end)
    if (child === undefined) return undefined
    out.push(child)
    offset = child.end
  }
  return out
}

/**
 * A serial number as upper-case hex without leading zeros (as `X509Certificate.serialNumber`, normalized).
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizeSerial = (hex: string): string => hex.toUpperCase().replace(/^0+(?=.)/, "")

const SEQUENCE = 0x30
const INTEGER = 0x02
const BIT_STRING = 0x03
const OID = 0x06
const UTC_TIME = 0x17
const GENERALIZED_TIME = 0x18

/** The digest `crypto.verify` needs for each CRL signature algorithm (by DER OID, hex); null for EdDSA. */
const SIGNATURE_ALGORITHMS: ReadonlyMap<string, string | null> = new Map<string, string | null>([
  ["2a864886f70d01010b", "sha256"], // sha256WithRSAEncryption
  ["2a864886f70d01010c", "sha384"], // sha384WithRSAEncryption
  ["2a864886f70d01010d", "sha512"], // sha512WithRSAEncryption
  ["2a8648ce3d040302", "sha256"], // ecdsa-with-SHA256
  ["2a8648ce3d040303", "sha384"], // ecdsa-with-SHA384
  ["2a8648ce3d040304", "sha512"], // ecdsa-with-SHA512
  ["2b6570", null], // Ed25519
  ["2b6571", null] // Ed448
])

const bytes = (der: Uint8Array, node: Tlv): Buffer => Buffer.from(der.subarray(node.offset, node.end))

/**
 * Whether `signature` (the CertificateList's BIT STRING) signs `tbs` with `algorithm` (its
 * AlgorithmIdentifier, which must equal the one inside `tbs`) under the CA's key.
 */
const signedBy = (
  der: Uint8Array,
  ca: X509Certificate,
  tbs: Tlv,
  inner: Tlv | undefined,
  algorithm: Tlv | undefined,
  signature: Tlv | undefined
): boolean => {
  if (algorithm?.tag !== SEQUENCE || inner === undefined || signature?.tag !== BIT_STRING) return false
  if (!bytes(der, inner).equals(bytes(der, algorithm))) return false
  const oid = children(der, algorithm)?.[0]
  if (oid?.tag !== OID) return false
  const digest = SIGNATURE_ALGORITHMS.get(Buffer.from(der.subarray(oid.start, oid.end)).toString("hex"))
  if (digest === undefined || signature.end - signature.start < 2 || der[signature.start] !== 0) return false
  try {
    return verify(digest, bytes(der, tbs), ca.publicKey, der.subarray(signature.start + 1, signature.end))
  } catch {
    return false
  }
}

/**
 * The revoked serial numbers of `pem` (normalized) once its signature is checked against `ca`,
 * or why it is refused: not a readable CRL, or not signed by `ca` (unsigned, altered, another
 * issuer's, or an unsupported signature algorithm).
 *
 * @since 0.1.0
 * @category utils
 */
export const revokedSerials = (pem: string, ca: X509Certificate): Result.Result<ReadonlySet<string>, string> => {
  const unreadable = Result.fail("tls.crl is not a readable PEM X.509 CRL")
  const match = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(pem)
  if (match === null) return unreadable
  const der = Buffer.from((match[1] ?? "").replace(/\s+/g, ""), "base64")
  const list = tlv(der, 0, der.length)
  if (list?.tag !== SEQUENCE) return unreadable
  const [tbs, algorithm, signature] = children(der, list) ?? []
  if (tbs?.tag !== SEQUENCE) return unreadable
  const fields = children(der, tbs)
  if (fields === undefined) return unreadable
  // version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, extensions?
  const versioned = fields[0]?.tag === INTEGER
  if (!signedBy(der, ca, tbs, fields[versioned ? 1 : 0], algorithm, signature))
    return Result.fail("tls.crl is not signed by the CA (tls.ca)")
  let index = versioned ? 3 : 2
  while (fields[index] !== undefined && (fields[index]?.tag === UTC_TIME || fields[index]?.tag === GENERALIZED_TIME))
    index++
  const serials = new Set<string>()
  const revoked = fields[index]
  if (revoked === undefined || revoked.tag !== SEQUENCE) return Result.succeed(serials)
  for (const entry of children(der, revoked) ?? []) {
    const serial = entry.tag === SEQUENCE ? children(der, entry)?.[0] : undefined
    if (serial?.tag !== INTEGER) return unreadable
    serials.add(normalizeSerial(Buffer.from(der.subarray(serial.start, serial.end)).toString("hex")))
  }
  return Result.succeed(serials)
}
