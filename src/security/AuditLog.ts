/**
 * `AuditLog`: an append-only hash chain of security events. Each record carries the sha256 of the
 * previous record, so altering, removing or reordering any record breaks `verify`.
 *
 * Records are kept in memory (the last `MAX_AUDIT_RECORDS`; policy when full: the oldest is
 * dropped and its hash becomes the anchor the remaining tail is verified from) and, when an
 * `EventStore` is provided, appended to it as `security.audit` events in chain order. At start
 * the chain continues from the last audit record in the store, so with the SQL event store it
 * survives a restart.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { Clock, Context, Effect, Layer, Option, Result, Schema, Semaphore } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { EventStore, type EventStoreFailure } from "../events/index.ts"
import { AuditChainBroken } from "./errors.ts"
import { checkJsonBounds } from "./bounds.ts"
import { canonical } from "./internal/canonical.ts"
import { AuditEntry, AuditRecord } from "./schema.ts"

/** The `prev` of the first record of a chain. */
export const GENESIS = "0".repeat(64)

/** Records kept in memory (see the module comment for the policy when full). */
export const MAX_AUDIT_RECORDS = 10_000

/** Where a verified tail starts: the index and hash of the record before it. */
export interface Anchor {
  readonly index: number
  readonly hash: string
}

/** The hash of a record given its predecessor's hash. */
export const hashRecord = (prev: string, record: Omit<AuditRecord, "prev" | "hash">): string =>
  createHash("sha256")
    .update(prev)
    .update("\n")
    .update(canonical({ index: record.index, time: record.time, type: record.type, agent: record.agent, detail: record.detail }))
    .digest("hex")

const isRecord = Schema.is(AuditRecord)

/**
 * Verifies a sequence of records. Without an anchor, a chain starting at index 0 must start from
 * `GENESIS`; a tail starting later is trusted to start where it says (removal of its head cannot
 * be seen without an anchor). Returns the number of records verified.
 */
export const verifyChain = (records: ReadonlyArray<unknown>, anchor?: Anchor): Result.Result<number, AuditChainBroken> => {
  let previous: Anchor | undefined = anchor
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    if (checkJsonBounds(record, "AuditLog.verify") !== undefined || !isRecord(record)) return Result.fail(new AuditChainBroken({ index: previous === undefined ? i : previous.index + 1, reason: "malformed" }))
    if (hashRecord(record.prev, record) !== record.hash) return Result.fail(new AuditChainBroken({ index: record.index, reason: "hash-mismatch" }))
    if (previous === undefined) {
      if (record.index === 0 && record.prev !== GENESIS) return Result.fail(new AuditChainBroken({ index: 0, reason: "broken-link" }))
    } else {
      if (record.index !== previous.index + 1) return Result.fail(new AuditChainBroken({ index: record.index, reason: "index-gap" }))
      if (record.prev !== previous.hash) return Result.fail(new AuditChainBroken({ index: record.index, reason: "broken-link" }))
    }
    previous = { index: record.index, hash: record.hash }
  }
  return Result.succeed(records.length)
}

/** The event type audit records are stored under. */
export const AUDIT_EVENT_TYPE = "security.audit"

/** The hash-chained audit log. */
export class AuditLog extends Context.Service<AuditLog, {
  /**
   * Appends a record stamped with `Clock` time and returns it. Bad input fails with `InvalidInput`;
   * a failure to persist it to the event store is logged (and shows later as a gap in `verifyStored`).
   *
   * @example
   * ```ts
   * yield* audit.record({ type: "security.unauthorized", agent: "a1", detail: { capability: "agent:spawn" } })
   * ```
   */
  readonly record: (entry: AuditEntry) => Effect.Effect<AuditRecord, InvalidInput>
  /** The records held in memory, oldest first. */
  readonly records: Effect.Effect<ReadonlyArray<AuditRecord>>
  /** Verifies the in-memory records from their anchor; returns how many were verified. */
  readonly verify: Effect.Effect<number, AuditChainBroken>
  /** Reads every audit record from the event store (if any) and verifies them in order. */
  readonly verifyStored: Effect.Effect<number, AuditChainBroken | EventStoreFailure | InvalidInput>
}>()("mabeam/AuditLog") {
  /** An audit log that persists to the `EventStore` when one is provided. */
  static readonly layer: Layer.Layer<AuditLog> = Layer.effect(AuditLog, Effect.suspend(() => make))
}

const decodeEntry = decodeInput(AuditEntry, "AuditLog.record")
const isEntry = Schema.is(AuditEntry)

const readStored = (store: EventStore["Service"]) =>
  Effect.gen(function*() {
    const out: Array<unknown> = []
    let after: number | undefined
    for (;;) {
      const page = yield* store.query({ type: AUDIT_EVENT_TYPE, limit: 1_000, ...(after === undefined ? {} : { after }) })
      for (const event of page.events) out.push(event.payload)
      if (page.next === undefined || page.events.length === 0) return out
      after = page.next
    }
  })

const make = Effect.gen(function*() {
  const store = yield* Effect.serviceOption(EventStore)
  const lock = yield* Semaphore.make(1)
  const memory: Array<AuditRecord> = []
  let anchor: Anchor | undefined
  if (Option.isSome(store)) {
    const stored = yield* Effect.orElseSucceed(readStored(store.value), () => [] as Array<unknown>)
    const last = stored[stored.length - 1]
    if (isRecord(last)) anchor = { index: last.index, hash: last.hash }
  }
  let head: Anchor | undefined = anchor

  const append = (entry: AuditEntry) =>
    lock.withPermit(Effect.gen(function*() {
      const time = yield* Clock.currentTimeMillis
      const index = head === undefined ? 0 : head.index + 1
      const prev = head === undefined ? GENESIS : head.hash
      const body = { index, time, type: entry.type, agent: entry.agent, detail: entry.detail }
      const record: AuditRecord = { ...body, prev, hash: hashRecord(prev, body) }
      memory.push(record)
      head = { index, hash: record.hash }
      if (memory.length > MAX_AUDIT_RECORDS) {
        const dropped = memory.shift() as AuditRecord
        anchor = { index: dropped.index, hash: dropped.hash }
      }
      if (Option.isSome(store)) {
        yield* store.value.append({
          id: `audit-${index}`,
          type: AUDIT_EVENT_TYPE,
          ...(entry.agent.length > 0 ? { correlationId: entry.agent } : {}),
          payload: record
        }).pipe(Effect.catch((error) => Effect.logWarning("audit record not persisted", error.message)))
      }
      return record
    }))

  return AuditLog.of({
    record: (entry) => {
      const tooBig = checkJsonBounds(entry, "AuditLog.record")
      if (tooBig !== undefined) return Effect.fail(tooBig)
      return isEntry(entry) ? append(entry) : Effect.flatMap(decodeEntry(entry), append)
    },
    records: Effect.sync(() => memory.slice()),
    verify: Effect.suspend(() => Result.match(verifyChain(memory, anchor), { onSuccess: Effect.succeed, onFailure: Effect.fail })),
    verifyStored: Option.isNone(store)
      ? Effect.succeed(0)
      : Effect.flatMap(readStored(store.value), (records) =>
        Result.match(verifyChain(records), { onSuccess: Effect.succeed, onFailure: Effect.fail }))
  })
})
