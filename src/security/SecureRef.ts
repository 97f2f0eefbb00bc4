/**
 * `SecureRef`: an `AgentRef` whose messages travel as signed envelopes. Sending seals the message
 * (JSON-encoded with the agent's message Schema) with the sender's `Signer`; `receive` — the
 * receiving boundary, also used for envelopes arriving from other nodes — verifies it
 * (`Identities.open`), checks the sender holds `agent:tell:<id>` or `agent:ask:<id>`
 * (`Authorization.check`), decodes the message and only then hands it to the agent.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import type { AgentRef, AskError, AskOptions, ReplyOf, TellError } from "../agent/index.ts"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { Authorization } from "./Authorization.ts"
import type { Unauthorized } from "./errors.ts"
import { Identities, type OpenError, type Signer } from "./Identities.ts"
import type { Envelope } from "./schema.ts"

/**
 * Everything a secure send can fail with besides the agent's own errors.
 *
 * @since 0.1.0
 * @category models
 */
export type SecureError = OpenError | Unauthorized | InvalidInput

/**
 * A ref whose sends are signed by one agent and verified and authorized on delivery.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecureRef<M> {
  readonly id: string
  /** The agent whose signer signs the sends. */
  readonly sender: string
  readonly tell: (message: M) => Effect.Effect<void, TellError | SecureError>
  readonly ask: <Req extends M>(
    request: Req,
    options?: AskOptions
  ) => Effect.Effect<ReplyOf<Req>, AskError | SecureError>
}

interface Codecs {
  readonly decode: (input: unknown) => Effect.Effect<unknown, InvalidInput>
  readonly encode: (input: unknown) => Effect.Effect<unknown, InvalidInput>
}
// Deriving a JSON codec is not free: one pair per message Schema, held weakly.
const codecs = new WeakMap<object, Codecs>()
const codecsOf = (messages: Schema.Codec<unknown, unknown>): Codecs => {
  let found = codecs.get(messages)
  if (found === undefined) {
    const json = Schema.toCodecJson(messages as Schema.Codec<unknown, unknown> & Schema.Top)
    const encode = Schema.encodeUnknownEffect(json)
    found = {
      decode: decodeInput(json, "SecureRef.receive") as Codecs["decode"],
      encode: (input) =>
        (encode(input) as Effect.Effect<unknown, Schema.SchemaError>).pipe(
          Effect.mapError((error) => new InvalidInput({ where: "SecureRef.seal", issue: error.message }))
        )
    }
    codecs.set(messages, found)
  }
  return found
}

const Payload = Schema.Struct({ kind: Schema.Literals(["tell", "ask"]), message: Schema.Json })
const decodePayload = decodeInput(Payload, "SecureRef.receive")

/**
 * Verifies, authorizes and decodes an envelope addressed to `ref`, then delivers it. Returns the
 * reply for an ask (`undefined` for a tell).
 *
 * @since 0.1.0
 * @category utils
 */
export const receive = <M>(
  envelope: unknown,
  ref: AgentRef<M>,
  messages: Schema.Codec<M, unknown>,
  options?: AskOptions
): Effect.Effect<unknown, TellError | AskError | SecureError, Identities | Authorization> =>
  Effect.gen(function* () {
    const identities = yield* Identities
    const authorization = yield* Authorization
    const verified = yield* identities.open(envelope, ref.id)
    const payload = yield* decodePayload(verified.payload)
    yield* authorization.check(verified.sender, `agent:${payload.kind}:${ref.id}`)
    const message = (yield* codecsOf(messages as Schema.Codec<unknown, unknown>).decode(payload.message)) as M
    if (payload.kind === "tell") return yield* ref.tell(message)
    return yield* ref.ask(message, options)
  })

/**
 * Seals `message` for `ref` as `signer`; the envelope `receive` expects.
 *
 * @since 0.1.0
 * @category utils
 */
export const seal = <M>(
  signer: Signer,
  ref: { readonly id: string },
  messages: Schema.Codec<M, unknown>,
  kind: "tell" | "ask",
  message: M
): Effect.Effect<Envelope, InvalidInput> =>
  Effect.gen(function* () {
    const encoded = yield* codecsOf(messages as Schema.Codec<unknown, unknown>).encode(message)
    return yield* signer.seal(ref.id, { kind, message: encoded as Schema.Json })
  })

/**
 * Wraps `ref` so that every send is signed by `signer` and verified and authorized before the
 * agent sees it.
 *
 * @example
 * ```ts
 * const signer = yield* identities.issue("planner-1")
 * yield* authorization.grant("planner-1", `agent:tell:${worker.id}`)
 * const secure = yield* makeSecureRef(worker, signer, WorkerMessage)
 * yield* secure.tell(Job.make({ id: 1 }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSecureRef = <M>(
  ref: AgentRef<M>,
  signer: Signer,
  messages: Schema.Codec<M, unknown>
): Effect.Effect<SecureRef<M>, never, Identities | Authorization> =>
  Effect.map(Effect.context<Identities | Authorization>(), (context) => ({
    id: ref.id,
    sender: signer.agent,
    tell: (message: M) =>
      seal(signer, ref, messages, "tell", message).pipe(
        Effect.flatMap((envelope) => receive(envelope, ref, messages)),
        Effect.asVoid,
        Effect.provideContext(context)
      ) as Effect.Effect<void, TellError | SecureError>,
    ask: <Req extends M>(request: Req, options?: AskOptions) =>
      seal(signer, ref, messages, "ask", request).pipe(
        Effect.flatMap((envelope) => receive(envelope, ref, messages, options)),
        Effect.provideContext(context)
      ) as Effect.Effect<ReplyOf<Req>, AskError | SecureError>
  }))
