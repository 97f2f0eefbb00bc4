/**
 * `AuditLog`: an append-only, keyed hash chain of security events (see `auditChain.ts`): each
 * record carries the HMAC of its predecessor's hash and its own fields under the log's secret key,
 * so altering, removing, inserting, reordering or re-hashing any record breaks `verify`, and
 * every `checkpointEvery` records a signed checkpoint (index, hash) is kept apart from the records
 * (in memory and handed to `onCheckpoint`; one more when the log closes, and on demand with
 * `checkpoint`), so a cut tail is detected too. Records after the newest checkpoint that a later
 * run reads from the store are vouched for only by the store: checkpoint as often as that matters.
 *
 * The key: give the same `key` to every run that must verify the same stored chain; without one
 * each log draws a random key, and records written under another key do not verify.
 *
 * Records are kept in memory (the last `MAX_AUDIT_RECORDS`; policy when full: the oldest is
 * dropped and its hash becomes the anchor the remaining tail is verified from) and, when an
 * `EventStore` is provided, appended to it as `security.audit` events in chain order. At start
 * the chain continues from the last audit record in the store, so with the SQL event store it
 * survives a restart. Denials are rate-limited per agent (`denialsPerSecond`) and for all agents
 * together (`denialsPerSecondTotal`); the excess is summed up in `security.suppressed` records, so
 * a flood of refused calls, from one agent or from thousands of distinct ones, cannot push the
 * other security records out of a store whose retention covers that rate.
 *
 * @since 0.1.0
 */
import { createSecretKey, randomBytes } from "node:crypto"
import { Clock, Context, Effect, Layer, Option, Redacted, Result, Schema, Semaphore } from "effect"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { EventStore, type EventStoreFailure } from "../events/index.ts"
import { type Anchor, type Checkpoint, GENESIS, hashRecord, makeCheckpoint, verifyChain } from "./auditChain.ts"
import { checkJsonBounds } from "./bounds.ts"
import { AuditChainBroken } from "./errors.ts"
import { DENIAL_TYPES, DenialLimiter } from "./internal/denials.ts"
import { AuditEntry, AuditRecord } from "./schema.ts"

export { type Anchor, type Checkpoint, GENESIS, hashRecord, verifyChain } from "./auditChain.ts"

/**
 * Records kept in memory (see the module comment for the policy when full).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_AUDIT_RECORDS = 10_000

/**
 * Checkpoints kept in memory; the oldest is dropped first (the newest vouch for the whole chain).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_CHECKPOINTS = 1_024

/**
 * Options of `AuditLog.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditLogOptions {
  /** The chain's secret key (at least 16 bytes). Default: 32 random bytes, new for each log. */
  readonly key?: Redacted.Redacted<string> | Uint8Array | undefined
  /** A checkpoint every this many records. Default 100. */
  readonly checkpointEvery?: number | undefined
  /** Checkpoints of earlier runs, kept apart by the operator: `verifyStored` checks the store against them. */
  readonly checkpoints?: ReadonlyArray<Checkpoint> | undefined
  /** Where each new checkpoint is sent as well (a file, another store, another node). */
  readonly onCheckpoint?: ((checkpoint: Checkpoint) => Effect.Effect<void>) | undefined
  /** Denial records each agent may add per second of Clock time; the rest are summed up. Default 50. */
  readonly denialsPerSecond?: number | undefined
  /**
   * Denial records all agents together may add per second of Clock time, so a flood from many
   * distinct agents is bounded too; the rest are summed up (agent `*all*`). Default 4 × `denialsPerSecond`.
   */
  readonly denialsPerSecondTotal?: number | undefined
}

/**
 * The event type audit records are stored under.
 *
 * @since 0.1.0
 * @category constants
 */
export const AUDIT_EVENT_TYPE = "security.audit"

/**
 * The keyed hash-chained audit log.
 *
 * @since 0.1.0
 * @category services
 */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    /**
     * Appends a record stamped with `Clock` time and returns it. Bad input fails with `InvalidInput`;
     * a failure to persist it to the event store is logged (and shows later in `verifyStored`). A
     * denial over its agent's budget is not appended: it is counted, and the record returned is the
     * last one of the chain.
     *
     * @example
     * ```ts
     * const audit = yield* AuditLog
     * yield* audit.record({ type: "security.unauthorized", agent: "a1", detail: { capability: "agent:spawn" } })
     * ```
     */
    readonly record: (entry: AuditEntry) => Effect.Effect<AuditRecord | undefined, InvalidInput>
    /** The records held in memory, oldest first. */
    readonly records: Effect.Effect<ReadonlyArray<AuditRecord>>
    /** The checkpoints made so far (and those given at start), oldest first. */
    readonly checkpoints: Effect.Effect<ReadonlyArray<Checkpoint>>
    /** Makes a checkpoint of the current head now (none if the chain is empty). */
    readonly checkpoint: Effect.Effect<Checkpoint | undefined>
    /** Verifies the in-memory records from their anchor against the key and checkpoints; returns how many. */
    readonly verify: Effect.Effect<number, AuditChainBroken>
    /**
     * Reads every audit record from the event store (if any) and verifies the whole chain: from
     * record 0, under the key, against every checkpoint and up to this log's head.
     */
    readonly verifyStored: Effect.Effect<number, AuditChainBroken | EventStoreFailure | InvalidInput>
  }
>()("mabeam/AuditLog") {
  /** An audit log with a random key, persisting to the `EventStore` when one is provided. */
  static readonly layer: Layer.Layer<AuditLog> = Layer.effect(
    AuditLog,
    Effect.suspend(() => make({}))
  )
  /** An audit log with options; `InvalidInput` for a short key or bad bounds. */
  static readonly layerWith = (options: AuditLogOptions): Layer.Layer<AuditLog, InvalidInput> =>
    Layer.effect(AuditLog, Effect.flatMap(checkOptions(options), make))
}

const checkOptions = (options: AuditLogOptions): Effect.Effect<AuditLogOptions, InvalidInput> => {
  const key = keyBytes(options.key)
  const bad = (issue: string) => Effect.fail(new InvalidInput({ where: "AuditLog.layerWith", issue }))
  if (key !== undefined && key.length < 16) return bad("the key must be at least 16 bytes")
  for (const [name, n] of [
    ["checkpointEvery", options.checkpointEvery],
    ["denialsPerSecond", options.denialsPerSecond],
    ["denialsPerSecondTotal", options.denialsPerSecondTotal]
  ] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) return bad(`${name} must be a positive integer`)
  }
  return Effect.succeed(options)
}

const keyBytes = (key: AuditLogOptions["key"]): Uint8Array | undefined =>
  key === undefined ? undefined : key instanceof Uint8Array ? key : Buffer.from(Redacted.value(key), "utf8")

const decodeEntry = decodeInput(AuditEntry, "AuditLog.record")
const isEntry = Schema.is(AuditEntry)
const isRecord = Schema.is(AuditRecord)

const readStored = (store: EventStore["Service"]) =>
  Effect.gen(function* () {
    const out: Array<unknown> = []
    let after: number | undefined
    for (;;) {
      const page = yield* store.query({
        type: AUDIT_EVENT_TYPE,
        limit: 1_000,
        ...(after === undefined ? {} : { after })
      })
      for (const event of page.events) out.push(event.payload)
      if (page.next === undefined || page.events.length === 0) return out
      after = page.next
    }
  })

const make = (options: AuditLogOptions) =>
  Effect.gen(function* () {
    // A KeyObject: HMAC with a raw key re-imports it on every record.
    const key = createSecretKey(keyBytes(options.key) ?? randomBytes(32))
    const every = options.checkpointEvery ?? 100
    const perAgent = options.denialsPerSecond ?? 50
    const limiter = new DenialLimiter(perAgent, 1_000, options.denialsPerSecondTotal ?? perAgent * 4)
    const store = yield* Effect.serviceOption(EventStore)
    const lock = yield* Semaphore.make(1)
    const memory: Array<AuditRecord> = []
    const checkpoints: Array<Checkpoint> = [...(options.checkpoints ?? [])].slice(-MAX_CHECKPOINTS)
    let anchor: Anchor | undefined
    if (Option.isSome(store)) {
      const stored = yield* Effect.orElseSucceed(readStored(store.value), () => [] as Array<unknown>)
      const last = stored[stored.length - 1]
      if (isRecord(last)) anchor = { index: last.index, hash: last.hash }
    }
    let head: Anchor | undefined = anchor

    const checkpointNow = Effect.gen(function* () {
      if (head === undefined) return undefined
      const checkpoint = makeCheckpoint(key, head.index, head.hash, yield* Clock.currentTimeMillis)
      checkpoints.push(checkpoint)
      if (checkpoints.length > MAX_CHECKPOINTS) checkpoints.shift()
      if (options.onCheckpoint !== undefined) yield* options.onCheckpoint(checkpoint)
      return checkpoint
    })

    const appendOne = (entry: AuditEntry, time: number) =>
      Effect.gen(function* () {
        const index = head === undefined ? 0 : head.index + 1
        const prev = head === undefined ? GENESIS : head.hash
        const body = { index, time, type: entry.type, agent: entry.agent, detail: entry.detail }
        const record: AuditRecord = { ...body, prev, hash: hashRecord(prev, body, key) }
        memory.push(record)
        head = { index, hash: record.hash }
        if (memory.length > MAX_AUDIT_RECORDS) {
          const dropped = memory.shift() as AuditRecord
          anchor = { index: dropped.index, hash: dropped.hash }
        }
        if (Option.isSome(store)) {
          yield* store.value
            .append({
              id: `audit-${index}`,
              type: AUDIT_EVENT_TYPE,
              ...(entry.agent.length > 0 ? { correlationId: entry.agent } : {}),
              payload: record
            })
            .pipe(Effect.catch((error) => Effect.logWarning("audit record not persisted", error.message)))
        }
        if ((index + 1) % every === 0) yield* checkpointNow
        return record
      })

    const append = (entry: AuditEntry) =>
      lock.withPermit(
        Effect.gen(function* () {
          const time = yield* Clock.currentTimeMillis
          if (DENIAL_TYPES.has(entry.type)) {
            const admission = limiter.admit(entry.agent, time)
            if (admission._tag === "Suppress") return memory[memory.length - 1]
            for (const summary of [admission.summary, admission.also]) {
              if (summary !== undefined)
                yield* appendOne(
                  { type: "security.suppressed", agent: summary.agent, detail: { suppressed: summary.suppressed } },
                  time
                )
            }
            // A denial is also a log record (in the caller's fiber: it carries the caller's trace).
            yield* Effect.logWarning(`${entry.type}: agent "${entry.agent}"`, entry.detail).pipe(
              Effect.annotateLogs({ "mabeam.security.agent": entry.agent, "mabeam.security.event": entry.type })
            )
          }
          return yield* appendOne(entry, time)
        })
      )

    // The last checkpoint pins the head at shutdown, so a later run can see a cut tail.
    yield* Effect.addFinalizer(() => lock.withPermit(Effect.asVoid(checkpointNow)))

    const fromResult = (result: Result.Result<number, AuditChainBroken>) =>
      Result.match(result, { onSuccess: Effect.succeed, onFailure: Effect.fail })

    return AuditLog.of({
      record: (entry) => {
        const tooBig = checkJsonBounds(entry, "AuditLog.record")
        if (tooBig !== undefined) return Effect.fail(tooBig)
        return isEntry(entry) ? append(entry) : Effect.flatMap(decodeEntry(entry), append)
      },
      records: Effect.sync(() => memory.slice()),
      checkpoints: Effect.sync(() => checkpoints.slice()),
      checkpoint: lock.withPermit(checkpointNow),
      verify: Effect.suspend(() =>
        fromResult(
          verifyChain(memory, {
            anchor,
            key,
            checkpoints: checkpoints.filter((c) => anchor === undefined || c.index > anchor.index)
          })
        )
      ),
      verifyStored: Option.isNone(store)
        ? Effect.succeed(0)
        : Effect.flatMap(readStored(store.value), (records) =>
            fromResult(
              Result.flatMap(verifyChain(records, { key, complete: true, checkpoints }), (n) => {
                const last = (records[records.length - 1] as AuditRecord | undefined)?.index ?? -1
                // The store must reach this log's head: a record cut from its end is missing.
                return head !== undefined && last < head.index
                  ? Result.fail(new AuditChainBroken({ index: last + 1, reason: "truncated" }))
                  : Result.succeed(n)
              })
            )
          )
    })
  })
