/**
 * The client side of both counters: `increment` sends one `Increment` over a `Transport`
 * endpoint, resends it (same `seq`, so it is applied once) until answered, follows `NotLeader`
 * hints, and fails with a typed error on rejection or when no answer comes in time.
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema } from "effect"
import { decodeInput, InvalidInput } from "../../errors/index.ts"
import type { Address, Endpoint } from "../../transport/index.ts"
import { type CounterMessage, isCounterMessage } from "./Counter.ts"

/**
 * No counter member answered the increment within `timeout` ms.
 *
 * @since 0.1.0
 * @category errors
 */
export class CounterTimeout extends Schema.TaggedError<CounterTimeout>()("CounterTimeout", {
  client: Schema.String,
  seq: Schema.Number,
  timeout: Schema.Number
}) {
  override get message(): string {
    return `counter increment ${this.client}#${this.seq}: no answer within ${this.timeout} ms (it may still be applied once)`
  }
}

/**
 * The counter refused the increment (too many client sessions, or a full Raft log).
 *
 * @since 0.1.0
 * @category errors
 */
export class CounterRejected extends Schema.TaggedError<CounterRejected>()("CounterRejected", {
  client: Schema.String,
  seq: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `counter increment ${this.client}#${this.seq} rejected: ${this.reason}`
  }
}

/**
 * What `increment` takes. Use a fresh `seq` (last + 1) per increment and the same one to retry.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IncrementInput = Schema.Struct({
  client: Schema.NonEmptyString,
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  by: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  /** Resend every `retry` ms (default 100) until answered or `timeout` ms (default 2000). */
  retry: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  timeout: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
})
/**
 * What `increment` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type IncrementInput = typeof IncrementInput.Type

/**
 * Increments the counter served at `targets` (one owner, or the Raft members) and returns the
 * value right after this increment. `endpoint` must be dedicated to this client's counter traffic.
 * Fails with `CounterTimeout`, `CounterRejected` or `InvalidInput`.
 *
 * @example
 * ```ts
 * const value = yield* increment(endpoint, [{ node: "owner", id: "counter" }], { client: "c1", seq: 1 })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const increment = (
  endpoint: Endpoint,
  targets: ReadonlyArray<Address>,
  input: IncrementInput
): Effect.Effect<number, InvalidInput | CounterTimeout | CounterRejected> =>
  Effect.gen(function* () {
    const valid = yield* decodeInput(IncrementInput, "Counter.increment")(input)
    const first = targets[0]
    if (first === undefined)
      return yield* new InvalidInput({ where: "Counter.increment", issue: "no targets to send the increment to" })
    const { client, seq } = valid
    const retry = valid.retry ?? 100
    const timeout = valid.timeout ?? 2_000
    let target = first
    let turn = 0
    const answer = Effect.gen(function* () {
      while (true) {
        yield* endpoint.send(target, { _tag: "Increment", client, seq, by: valid.by ?? 1 })
        const batch = Option.getOrElse(yield* Effect.timeoutOption(endpoint.receive, retry), () => [])
        let hint: string | undefined
        for (const { message: m } of batch) {
          if (!isCounterMessage(m) || m._tag === "Increment" || m.client !== client || m.seq !== seq) continue
          if (m._tag !== "NotLeader") return m
          hint = m.leader
        }
        const hinted = hint === undefined ? undefined : targets.find((t) => t.node === hint)
        target = hinted ?? targets[++turn % targets.length] ?? first
      }
    })
    const reply: Option.Option<CounterMessage> = yield* Effect.timeoutOption(answer, timeout)
    if (Option.isNone(reply)) return yield* new CounterTimeout({ client, seq, timeout })
    const m = reply.value
    if (m._tag === "Rejected") return yield* new CounterRejected({ client, seq, reason: m.reason })
    return m._tag === "Incremented" ? m.value : yield* Effect.die(new Error("unreachable counter reply"))
  })
