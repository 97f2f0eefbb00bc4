/**
 * PBFT message plumbing: signing and verifying messages and client requests, structural guards
 * for anything that arrives from the network, and the validity of certificates (prepared
 * certificates, stable checkpoints, view-changes).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { canonicalJson as canonical } from "../../internal/canonicalJson.ts"
import type { PbftAuth } from "./auth.ts"
import type {
  Checkpoint,
  ClientRequest,
  PbftConfig,
  PbftMessage,
  PrePrepare,
  PreparedCert,
  ReplicaMessage,
  StableCheckpoint,
  ViewChange
} from "./types.ts"

/**
 * The value of the no-op request a new view fills gaps with (no client may request it).
 *
 * @since 0.1.0
 * @category constants
 */
export const NULL_VALUE = "<null>"

/**
 * The digest of the empty committed prefix (the genesis checkpoint, seq 0).
 *
 * @since 0.1.0
 * @category constants
 */
export const GENESIS = "genesis"

/**
 * The quorum of a configuration: 2f + 1 (or the broken `unsafeQuorum`).
 *
 * @since 0.1.0
 * @category utils
 */
export const quorumOf = (config: PbftConfig): number => config.unsafeQuorum ?? 2 * config.f + 1

/**
 * The primary of `view`: `replicas[view mod n]`.
 *
 * @since 0.1.0
 * @category utils
 */
export const primaryOf = (config: PbftConfig, view: number): string =>
  config.replicas[view % config.replicas.length] ?? ""

/**
 * The value a pre-prepare orders (`NULL_VALUE` for the no-op).
 *
 * @since 0.1.0
 * @category utils
 */
export const valueOf = (request: ClientRequest | null): string => (request === null ? NULL_VALUE : request.value)

/**
 * The committed-prefix hash after appending `value` to the prefix hashed as `chain`.
 *
 * @since 0.1.0
 * @category utils
 */
export const extendChain = (chain: string, value: string): string =>
  createHash("sha256").update(chain).update("\n").update(value).digest("base64")

const unsigned = (m: { readonly sig: string }): string => {
  const { sig: _, ...rest } = m
  return canonical(rest)
}

type Unsigned<M> = M extends unknown ? Omit<M, "sig"> : never

/**
 * Signs a replica message with `auth` (its `replica` must be `auth.id` for it to verify); an old `sig` is replaced.
 *
 * @since 0.1.0
 * @category utils
 */
export const signed = <M extends ReplicaMessage>(auth: PbftAuth, message: Unsigned<M>): M => {
  const { sig: _, ...rest } = message as Unsigned<M> & { readonly sig?: string }
  return { ...rest, sig: auth.sign(canonical(rest)) } as unknown as M
}

/**
 * Whether `message` is signed by the replica it names, one of `config.replicas`.
 *
 * @since 0.1.0
 * @category utils
 */
export const verified = (config: PbftConfig, auth: PbftAuth, message: ReplicaMessage): boolean =>
  config.replicas.includes(message.replica) && auth.verify(message.replica, unsigned(message), message.sig)

/**
 * A client request for `value`, signed by the client `auth.id`.
 *
 * @since 0.1.0
 * @category utils
 */
export const signRequest = (auth: PbftAuth, value: string): ClientRequest => ({
  client: auth.id,
  value,
  sig: auth.sign(canonical({ client: auth.id, value }))
})

/**
 * Whether `request` is signed by its client, which is not a replica, and is not the no-op.
 *
 * @since 0.1.0
 * @category utils
 */
export const verifiedRequest = (config: PbftConfig, auth: PbftAuth, request: ClientRequest): boolean =>
  request.value !== NULL_VALUE &&
  !config.replicas.includes(request.client) &&
  auth.verify(request.client, canonical({ client: request.client, value: request.value }), request.sig)

// ---- structural guards (anything may arrive) ----

type Rec = Readonly<Record<string, unknown>>
const isRec = (u: unknown): u is Rec => typeof u === "object" && u !== null && !Array.isArray(u)
const isNat = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0
const isText = (u: unknown): u is string => typeof u === "string" && u.length <= 4_096
const isList = (u: unknown, item: (x: unknown) => boolean): boolean =>
  Array.isArray(u) && u.length <= 1_024 && u.every(item)
const isSignedBy = (o: Rec, tag: string) => o["_tag"] === tag && isText(o["replica"]) && isText(o["sig"])

const isRequest = (u: unknown): u is ClientRequest =>
  isRec(u) && isText(u["client"]) && isText(u["value"]) && isText(u["sig"])
const isPrePrepare = (u: unknown): u is PrePrepare =>
  isRec(u) &&
  isSignedBy(u, "PrePrepare") &&
  isNat(u["view"]) &&
  isNat(u["seq"]) &&
  u["seq"] >= 1 &&
  (u["request"] === null || isRequest(u["request"]))
const isVote =
  (tag: string) =>
  (u: unknown): boolean =>
    isRec(u) && isSignedBy(u, tag) && isNat(u["view"]) && isNat(u["seq"]) && u["seq"] >= 1 && isText(u["value"])
const isCheckpoint = (u: unknown): u is Checkpoint =>
  isRec(u) && isSignedBy(u, "Checkpoint") && isNat(u["seq"]) && isText(u["digest"])
const isCert = (u: unknown): u is PreparedCert =>
  isRec(u) && isPrePrepare(u["prePrepare"]) && isList(u["prepares"], isVote("Prepare"))
const isStable = (u: unknown): u is StableCheckpoint =>
  isRec(u) && isNat(u["seq"]) && isText(u["digest"]) && isList(u["proof"], isCheckpoint)
const isViewChange = (u: unknown): u is ViewChange =>
  isRec(u) && isSignedBy(u, "ViewChange") && isNat(u["view"]) && isStable(u["stable"]) && isList(u["prepared"], isCert)

/**
 * Structural check of an inbound PBFT message (signatures are checked by the replica).
 *
 * @since 0.1.0
 * @category guards
 */
export const isPbftMessage = (u: unknown): u is PbftMessage => {
  if (!isRec(u)) return false
  switch (u["_tag"]) {
    case "Request":
      return isRequest(u["request"])
    case "PrePrepare":
      return isPrePrepare(u)
    case "Prepare":
    case "Commit":
      return isVote(u["_tag"])(u)
    case "Checkpoint":
      return isCheckpoint(u)
    case "ViewChange":
      return isViewChange(u)
    case "NewView":
      return (
        isSignedBy(u, "NewView") &&
        isNat(u["view"]) &&
        isList(u["viewChanges"], isViewChange) &&
        isList(u["prePrepares"], isPrePrepare)
      )
    case "Fetch":
      return isSignedBy(u, "Fetch") && isNat(u["seq"]) && u["seq"] >= 1 && isNat(u["view"])
    case "Reply":
      return isSignedBy(u, "Reply") && isNat(u["seq"]) && isText(u["value"])
    default:
      return false
  }
}

// ---- certificates ----

const distinct = <A extends { readonly replica: string }>(items: ReadonlyArray<A>) =>
  new Set(items.map((i) => i.replica)).size === items.length

/**
 * Whether `cert` proves its value prepared: a pre-prepare signed by the primary of its view (with
 * a client-signed request or the no-op) and 2f prepares of distinct backups matching it.
 *
 * @since 0.1.0
 * @category utils
 */
export const validCert = (config: PbftConfig, auth: PbftAuth, cert: PreparedCert): boolean => {
  const pp = cert.prePrepare
  const primary = primaryOf(config, pp.view)
  const value = valueOf(pp.request)
  return (
    pp.replica === primary &&
    verified(config, auth, pp) &&
    (pp.request === null || verifiedRequest(config, auth, pp.request)) &&
    cert.prepares.length >= quorumOf(config) - 1 &&
    distinct(cert.prepares) &&
    cert.prepares.every(
      (p) =>
        p.view === pp.view &&
        p.seq === pp.seq &&
        p.value === value &&
        p.replica !== primary &&
        verified(config, auth, p)
    )
  )
}

/**
 * Whether `stable` is the genesis or proven by 2f + 1 distinct matching checkpoints.
 *
 * @since 0.1.0
 * @category utils
 */
export const validStable = (config: PbftConfig, auth: PbftAuth, stable: StableCheckpoint): boolean =>
  stable.seq === 0
    ? stable.digest === GENESIS && stable.proof.length === 0
    : stable.seq % config.checkpointInterval === 0 &&
      stable.proof.length >= quorumOf(config) &&
      distinct(stable.proof) &&
      stable.proof.every((c) => c.seq === stable.seq && c.digest === stable.digest && verified(config, auth, c))

/**
 * Whether a view-change is well-formed: signed by a replica, a valid stable checkpoint, valid
 * prepared certificates of distinct sequence numbers above it (at most `keep` above), from
 * views before the one it moves to.
 *
 * @since 0.1.0
 * @category utils
 */
export const validViewChange = (config: PbftConfig, auth: PbftAuth, vc: ViewChange): boolean =>
  verified(config, auth, vc) &&
  validStable(config, auth, vc.stable) &&
  new Set(vc.prepared.map((c) => c.prePrepare.seq)).size === vc.prepared.length &&
  vc.prepared.every(
    (c) =>
      c.prePrepare.seq > vc.stable.seq &&
      c.prePrepare.seq <= vc.stable.seq + config.keep &&
      c.prePrepare.view < vc.view &&
      validCert(config, auth, c)
  )
