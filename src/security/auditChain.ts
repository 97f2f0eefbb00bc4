/**
 * The audit chain's arithmetic: keyed record hashes, chain verification and checkpoints.
 *
 * A record's `hash` is HMAC-SHA256 under the log's secret key of its predecessor's hash and its own
 * canonical fields, so whoever can write the store but does not hold the key cannot edit a record
 * and re-hash the chain after it. A checkpoint is the (index, hash) of a record, MACed under a key
 * derived from the same secret; kept apart from the records (in memory, and handed to the log's
 * `onCheckpoint` sink), it lets `verify` see a truncated tail or a chain rebuilt from scratch.
 *
 * @since 0.1.0
 */
import { createHash, createHmac, type KeyObject, timingSafeEqual } from "node:crypto"
import { Result, Schema } from "effect"
import { checkJsonBounds } from "./bounds.ts"
import { AuditChainBroken } from "./errors.ts"
import { canonicalJson as canonical } from "../internal/canonicalJson.ts"
import { AuditRecord } from "./schema.ts"

/**
 * The `prev` of the first record of a chain.
 *
 * @since 0.1.0
 * @category constants
 */
export const GENESIS = "0".repeat(64)

/**
 * Where a verified tail starts: the index and hash of the record before it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Anchor {
  readonly index: number
  readonly hash: string
}

/**
 * A signed statement that record `index` of the chain had hash `hash`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checkpoint {
  readonly index: number
  readonly hash: string
  readonly time: number
  readonly mac: string
}

/**
 * The hash of a record given its predecessor's hash: HMAC-SHA256 under `key`, or (without a key,
 * for tools that only check links) plain SHA-256, which anyone can recompute.
 *
 * @since 0.1.0
 * @category utils
 */
export const hashRecord = (
  prev: string,
  record: Omit<AuditRecord, "prev" | "hash">,
  key?: Uint8Array | KeyObject
): string =>
  (key === undefined ? createHash("sha256") : createHmac("sha256", key))
    .update(prev)
    .update("\n")
    .update(
      canonical({
        index: record.index,
        time: record.time,
        type: record.type,
        agent: record.agent,
        detail: record.detail
      })
    )
    .digest("hex")

const checkpointKey = (key: Uint8Array | KeyObject) =>
  createHmac("sha256", key).update("mabeam-audit-checkpoint-v1").digest()

const checkpointMac = (key: Uint8Array | KeyObject, index: number, hash: string, time: number) =>
  createHmac("sha256", checkpointKey(key)).update(`${index}\n${hash}\n${time}`).digest("hex")

/**
 * Signs a checkpoint of record `index` with hash `hash`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCheckpoint = (key: Uint8Array | KeyObject, index: number, hash: string, time: number): Checkpoint => ({
  index,
  hash,
  time,
  mac: checkpointMac(key, index, hash, time)
})

/**
 * Whether `checkpoint` was signed under `key`.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkpointValid = (key: Uint8Array | KeyObject, checkpoint: Checkpoint): boolean => {
  const expected = Buffer.from(checkpointMac(key, checkpoint.index, checkpoint.hash, checkpoint.time), "hex")
  const given = Buffer.from(typeof checkpoint.mac === "string" ? checkpoint.mac : "", "hex")
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const isRecord = Schema.is(AuditRecord)

/**
 * What `verifyChain` checks besides the links.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /** The record before the first one given (for a tail). */
  readonly anchor?: Anchor | undefined
  /** The log's secret key: without it only the links are checked, and a re-hashed chain passes. */
  readonly key?: Uint8Array | KeyObject | undefined
  /** The chain must start at index 0 from `GENESIS` (a removed head is then detected). */
  readonly complete?: boolean | undefined
  /** Records the chain must contain with these hashes, and reach at least the last of (a cut tail is detected). */
  readonly checkpoints?: ReadonlyArray<Checkpoint> | undefined
}

/**
 * Verifies a sequence of records, naming the first bad index: an edited record
 * (`hash-mismatch`), a removed, inserted or reordered one (`index-gap` / `broken-link`), a
 * removed head (`missing-head`), a cut tail (`truncated`), a chain that disagrees with a
 * checkpoint (`checkpoint-mismatch`), or something that is not a record (`malformed`). Returns
 * the number of records verified.
 *
 * @since 0.1.0
 * @category utils
 */
export const verifyChain = (
  records: ReadonlyArray<unknown>,
  options: VerifyOptions | Anchor = {}
): Result.Result<number, AuditChainBroken> => {
  const opts: VerifyOptions = "index" in options ? { anchor: options } : options
  let previous: Anchor | undefined = opts.anchor
  const fail = (index: number, reason: AuditChainBroken["reason"]) =>
    Result.fail(new AuditChainBroken({ index, reason }))
  const expected = new Map<number, string>()
  let reach = -1
  for (const checkpoint of opts.checkpoints ?? []) {
    if (opts.key !== undefined && !checkpointValid(opts.key, checkpoint))
      return fail(checkpoint.index, "checkpoint-mismatch")
    expected.set(checkpoint.index, checkpoint.hash)
    reach = Math.max(reach, checkpoint.index)
  }
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    const at = previous === undefined ? i : previous.index + 1
    if (checkJsonBounds(record, "AuditLog.verify") !== undefined || !isRecord(record)) return fail(at, "malformed")
    if (previous === undefined) {
      if (opts.complete === true && record.index !== 0) return fail(0, "missing-head")
      if (record.index === 0 && record.prev !== GENESIS) return fail(0, "broken-link")
    } else {
      if (record.index !== previous.index + 1) return fail(previous.index + 1, "index-gap")
      if (record.prev !== previous.hash) return fail(record.index, "broken-link")
    }
    if (hashRecord(record.prev, record, opts.key) !== record.hash) return fail(record.index, "hash-mismatch")
    const pinned = expected.get(record.index)
    if (pinned !== undefined && pinned !== record.hash) return fail(record.index, "checkpoint-mismatch")
    previous = { index: record.index, hash: record.hash }
  }
  const last = previous?.index ?? -1
  if (last < reach) return fail(last + 1, "truncated")
  return Result.succeed(records.length)
}
