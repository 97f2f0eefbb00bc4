/**
 * A party's side of the barrier: `arrive` waits, over a `Transport` endpoint, until every party
 * arrived at `generation`, and fails with `BarrierBroken` instead of hanging when one did not.
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import type { Address, Endpoint } from "../../transport/index.ts"
import { isBarrierMessage } from "./Barrier.ts"

/**
 * The barrier of `generation` was broken: `missing` parties never arrived.
 *
 * @since 0.1.0
 * @category errors
 */
export class BarrierBroken extends Schema.TaggedError<BarrierBroken>()("BarrierBroken", {
  generation: Schema.Number,
  missing: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `barrier generation ${this.generation} broken: ${this.missing.join(", ") || "unknown parties"} never arrived`
  }
}

/**
 * The coordinator did not answer within `timeout` ms.
 *
 * @since 0.1.0
 * @category errors
 */
export class BarrierTimeout extends Schema.TaggedError<BarrierTimeout>()("BarrierTimeout", {
  generation: Schema.Number,
  timeout: Schema.Number
}) {
  override get message(): string {
    return `barrier generation ${this.generation}: no answer from the coordinator within ${this.timeout} ms`
  }
}

/**
 * What `arrive` takes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ArriveInput = Schema.Struct({
  generation: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  /** Resend the arrival every `retry` ms (default 100) until answered or `timeout` (default 5000). */
  retry: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  timeout: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
})
/**
 * What `arrive` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type ArriveInput = typeof ArriveInput.Type

/**
 * Arrives at `generation` and waits for everyone; returns the next generation. `endpoint` must be
 * dedicated to this party's barrier traffic.
 *
 * @since 0.1.0
 * @category utils
 */
export const arrive = (
  endpoint: Endpoint,
  coordinator: Address,
  input: ArriveInput
): Effect.Effect<number, InvalidInput | BarrierBroken | BarrierTimeout> =>
  Effect.gen(function* () {
    const valid = yield* decodeInput(ArriveInput, "Barrier.arrive")(input)
    const { generation } = valid
    const retry = valid.retry ?? 100
    const timeout = valid.timeout ?? 5_000
    const answer = Effect.gen(function* () {
      while (true) {
        yield* endpoint.send(coordinator, { _tag: "Arrive", generation })
        const batch = yield* Effect.timeoutOption(endpoint.receive, retry)
        for (const envelope of Option.getOrElse(batch, () => [])) {
          const m = envelope.message
          if (isBarrierMessage(m) && m._tag !== "Arrive" && m.generation === generation) return m
        }
      }
    })
    const reply = yield* Effect.timeoutOption(answer, timeout)
    if (Option.isNone(reply)) return yield* new BarrierTimeout({ generation, timeout })
    if (reply.value._tag === "Broken")
      return yield* new BarrierBroken({ generation, missing: [...reply.value.missing] })
    return generation + 1
  })
