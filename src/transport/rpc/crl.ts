/**
 * The serial numbers a certificate revocation list (PEM, X.509 v2 CRL) revokes, read with a small
 * DER walker (node:crypto parses certificates but not CRLs). The CRL is operator configuration,
 * like the CA: its signature is not checked here (the TLS handshake checks it on connections).
 *
 * Internal to `src/transport/rpc`.
 */

interface Tlv {
  readonly tag: number
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
  return end > limit ? undefined : { tag, start: offset + header, end }
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
const UTC_TIME = 0x17
const GENERALIZED_TIME = 0x18

/**
 * The revoked serial numbers of `pem` (normalized), or undefined if it is not a readable CRL.
 *
 * @since 0.1.0
 * @category utils
 */
export const revokedSerials = (pem: string): ReadonlySet<string> | undefined => {
  const match = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(pem)
  if (match === null) return undefined
  const der = Buffer.from((match[1] ?? "").replace(/\s+/g, ""), "base64")
  const list = tlv(der, 0, der.length)
  if (list?.tag !== SEQUENCE) return undefined
  const tbs = children(der, list)?.[0]
  if (tbs?.tag !== SEQUENCE) return undefined
  const fields = children(der, tbs)
  if (fields === undefined) return undefined
  // version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, extensions?
  let index = fields[0]?.tag === INTEGER ? 3 : 2
  while (fields[index] !== undefined && (fields[index]?.tag === UTC_TIME || fields[index]?.tag === GENERALIZED_TIME))
    index++
  const serials = new Set<string>()
  const revoked = fields[index]
  if (revoked === undefined || revoked.tag !== SEQUENCE) return serials
  for (const entry of children(der, revoked) ?? []) {
    const serial = entry.tag === SEQUENCE ? children(der, entry)?.[0] : undefined
    if (serial?.tag !== INTEGER) return undefined
    serials.add(normalizeSerial(Buffer.from(der.subarray(serial.start, serial.end)).toString("hex")))
  }
  return serials
}
