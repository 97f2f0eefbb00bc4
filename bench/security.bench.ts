/**
 * The cost of security and quotas per message, beside the bare operation in the same run:
 * signed + verified + authorized sends vs plain sends, quota-guarded sends vs plain sends, and
 * the single checks (seal + open, Authorization.check, Quotas.check) vs `Effect.void`, and the
 * cost of secure mode (`SecureMode`: token verified + capability checked inside the service) on a
 * ledger transfer, a registry register, and an agent's tell and ask (`SecureAgents`), against the
 * same services built without it.
 *
 * Each timed case runs a batch inside one `Effect.runPromise` (ops = batch size).
 */
import { generateKeyPairSync, sign, verify } from "node:crypto"
import { Context, Effect, Layer, Schema, Scope } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../src/agent/index.ts"
import { type GuardedRef, Quotas, Usage } from "../src/resources/index.ts"
import { Ledger } from "../src/economics/ledger/index.ts"
import { Registry } from "../src/registry/index.ts"
import {
  AuditLog,
  Authorization,
  Identities,
  makeSecureRef,
  SecureAgents,
  type SecureRef,
  SecureMode,
  secureLayer,
  type Signer,
  Tokens
} from "../src/security/index.ts"
import { defineBench } from "./lib/index.ts"

const Ping = Agent.message("Ping", { n: Schema.Number })
const Count = Agent.request("Count", {}, Schema.Number)
const Messages = Schema.Union([Ping, Count])
type Messages = typeof Messages.Type
const Sink = Agent.make({
  name: "sink",
  messages: Messages,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Count") ctx.reply(msg, n)
    return n + 1
  }
})
const ping = Ping.make({ n: 1 })
const count = Count.make({})

const BATCH = 1_000
const huge = { limit: 1e9, policy: "shed" } as const
const layer = Layer.mergeAll(
  Quotas.layerWith({ agents: { messagesPerSecond: huge, concurrentAsks: huge, mailboxDepth: huge } }).pipe(
    Layer.provideMerge(Usage.layer)
  ),
  Layer.mergeAll(Identities.layer, Authorization.layer, Tokens.layer).pipe(Layer.provideMerge(AuditLog.layer))
).pipe(Layer.provideMerge(AgentSystem.layer), Layer.orDie)

const scope = Scope.makeUnsafe()
let context: Context.Context<Layer.Success<typeof layer>>
let sink: AgentRef<Messages>
let guarded: GuardedRef<Messages>
let secure: SecureRef<Messages>
let signer: Signer
let identities: Identities["Service"]
let authorization: Authorization["Service"]
let quotas: Quotas["Service"]
let tokens: Tokens["Service"]
const raw = generateKeyPairSync("ed25519")
const rawBytes = Buffer.from(
  JSON.stringify({ sender: "sender", to: "x", keyId: 0, nonce: "0123456789abcdef1", timestamp: 0, payload: 1 })
)

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) =>
  Effect.runPromise(Effect.provideContext(effect, context))

const setup = async () => {
  if (sink !== undefined) return
  context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  await run(
    Effect.gen(function* () {
      sink = yield* (yield* AgentSystem).spawn({ ...Sink, mailbox: { capacity: 100_000 } })
      quotas = yield* Quotas
      tokens = yield* Tokens
      identities = yield* Identities
      authorization = yield* Authorization
      guarded = yield* quotas.guard(sink, "sender")
      signer = yield* identities.issue("sender")
      yield* authorization.grant("sender", `agent:tell:${sink.id}`)
      yield* authorization.grant("sender", `agent:ask:${sink.id}`)
      secure = yield* makeSecureRef(sink, signer, Messages)
    })
  )
}

const batch = (send: Effect.Effect<unknown, unknown>) =>
  run(
    Effect.gen(function* () {
      for (let i = 0; i < BATCH; i++) yield* send
      yield* sink.ask(count)
    })
  )

// Secure mode off and on: the same ledger and registry, built without and with `SecureMode`.
const plainServices = Layer.mergeAll(Ledger.layer, Registry.layer)
const secureServices = Layer.mergeAll(Ledger.layer, Registry.layer).pipe(
  Layer.provideMerge(secureLayer({ authorization: { grants: { bench: ["ledger:*", "registry:*"] } } })),
  Layer.orDie
)
interface Mode {
  readonly ledger: Ledger["Service"]
  readonly registry: Registry["Service"]
  /** Runs an effect as the bench's caller (with its token in secure mode). */
  readonly as: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
}
let plain: Mode | undefined
let secured: Mode | undefined
const modeScope = Scope.makeUnsafe()
const makeMode = (services: Layer.Layer<Ledger | Registry>) =>
  Effect.flatMap(Layer.buildWithScope(services, modeScope), (built) =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const registry = yield* Registry
      const secure = yield* Effect.serviceOption(SecureMode)
      const tokens = yield* Effect.serviceOption(Tokens)
      let as: Mode["as"] = (effect) => effect
      if (secure._tag === "Some" && tokens._tag === "Some")
        as = secure.value.actAs(yield* Effect.orDie(tokens.value.issue("bench")))
      yield* as(
        Effect.orDie(
          Effect.all([ledger.open("a"), ledger.open("b"), ledger.mint({ account: "a", amount: 10n ** 12n })])
        )
      )
      return { ledger, registry, as } satisfies Mode
    }).pipe(Effect.provideContext(built))
  )
const modeSetup = async () => {
  if (plain !== undefined) return
  plain = await Effect.runPromise(makeMode(plainServices))
  secured = await Effect.runPromise(makeMode(secureServices))
}
const transfers = (mode: () => Mode | undefined) => () =>
  Effect.runPromise(
    Effect.suspend(() => {
      const { as, ledger } = mode() as Mode
      return as(
        Effect.orDie(
          Effect.gen(function* () {
            for (let i = 0; i < BATCH; i++) yield* ledger.transfer({ from: "a", to: "b", amount: 1n })
          })
        )
      )
    })
  )
let registered = 0
const registers = (mode: () => Mode | undefined) => () =>
  Effect.runPromise(
    Effect.suspend(() => {
      const { as, registry } = mode() as Mode
      const base = registered
      registered += BATCH
      // Registered in one scope and removed when it closes: register + unregister per op.
      return as(
        Effect.orDie(
          Effect.scoped(
            Effect.gen(function* () {
              for (let i = 0; i < BATCH; i++) yield* registry.register(`k-${base + i}`, i)
            })
          )
        )
      )
    })
  )

// Agents with secure mode off and on: the raw AgentSystem, and the checked one over it.
interface AgentMode {
  readonly sink: AgentRef<Messages>
  readonly as: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
}
let plainAgents: AgentMode | undefined
let securedAgents: AgentMode | undefined
const makeAgentMode = (services: Layer.Layer<AgentSystem>) =>
  Effect.flatMap(Layer.buildWithScope(services, modeScope), (built) =>
    Effect.gen(function* () {
      const secure = yield* Effect.serviceOption(SecureMode)
      const tokens = yield* Effect.serviceOption(Tokens)
      let as: AgentMode["as"] = (effect) => effect
      if (secure._tag === "Some" && tokens._tag === "Some")
        as = secure.value.actAs(yield* Effect.orDie(tokens.value.issue("bench")))
      const sink = yield* as(
        Effect.orDie((yield* AgentSystem).spawn({ ...Sink, mailbox: { capacity: 100_000 } }, { id: "sink" }))
      )
      return { sink, as } satisfies AgentMode
    }).pipe(Effect.provideContext(built))
  )
const agentModeSetup = async () => {
  if (plainAgents !== undefined) return
  plainAgents = await Effect.runPromise(makeAgentMode(AgentSystem.layer))
  securedAgents = await Effect.runPromise(
    makeAgentMode(
      SecureAgents.layer.pipe(
        Layer.provide(AgentSystem.layer),
        Layer.provideMerge(secureLayer({ authorization: { grants: { bench: ["agent:*"] } } })),
        Layer.orDie
      )
    )
  )
}
const tells = (mode: () => AgentMode | undefined) => () =>
  Effect.runPromise(
    Effect.suspend(() => {
      const { as, sink } = mode() as AgentMode
      return as(
        Effect.orDie(
          Effect.gen(function* () {
            for (let i = 0; i < BATCH; i++) yield* sink.tell(ping)
            yield* sink.ask(count)
          })
        )
      )
    })
  )
const asks = (mode: () => AgentMode | undefined) => () =>
  Effect.runPromise(
    Effect.suspend(() => {
      const { as, sink } = mode() as AgentMode
      return as(
        Effect.orDie(
          Effect.gen(function* () {
            for (let i = 0; i < ASKS; i++) yield* sink.ask(count)
          })
        )
      )
    })
  )
const ASKS = 200

export default defineBench("security", [
  {
    group: "secure mode on an agent tell (batch of 1k, then one ask)",
    setup: agentModeSetup,
    baseline: { name: "ref.tell, secure mode off", ops: BATCH, fn: tells(() => plainAgents) },
    cases: [
      {
        name: "ref.tell, secure mode on (SecureAgents: token + agent:tell checked)",
        ops: BATCH,
        fn: tells(() => securedAgents)
      }
    ]
  },
  {
    group: "secure mode on an agent ask (batch of 200, one at a time)",
    setup: agentModeSetup,
    baseline: { name: "ref.ask, secure mode off", ops: ASKS, fn: asks(() => plainAgents) },
    cases: [
      {
        name: "ref.ask, secure mode on (SecureAgents: token + agent:ask checked)",
        ops: ASKS,
        fn: asks(() => securedAgents)
      }
    ]
  },
  {
    group: "secure mode on a ledger transfer (batch of 1k)",
    setup: modeSetup,
    baseline: { name: "Ledger.transfer, secure mode off", ops: BATCH, fn: transfers(() => plain) },
    cases: [
      { name: "Ledger.transfer, secure mode on (token + capability checked)", ops: BATCH, fn: transfers(() => secured) }
    ]
  },
  {
    group: "secure mode on a registry register (batch of 1k, removed at scope close)",
    setup: modeSetup,
    baseline: { name: "Registry.register, secure mode off", ops: BATCH, fn: registers(() => plain) },
    cases: [
      {
        name: "Registry.register, secure mode on (caller verified, owner recorded)",
        ops: BATCH,
        fn: registers(() => secured)
      }
    ]
  },
  {
    group: "send one message (batch of 1k, then one ask)",
    setup,
    baseline: { name: "ref.tell (no security)", ops: BATCH, fn: () => batch(Effect.suspend(() => sink.tell(ping))) },
    cases: [
      {
        name: "Quotas.guard(ref).tell (rate + depth checked)",
        ops: BATCH,
        fn: () => batch(Effect.suspend(() => guarded.tell(ping)))
      },
      {
        name: "SecureRef.tell (Ed25519 seal + open + authorize + decode)",
        ops: BATCH,
        fn: () => batch(Effect.suspend(() => secure.tell(ping)))
      }
    ]
  },
  {
    group: "one check alone (batch of 1k)",
    setup,
    baseline: {
      name: "Effect.void",
      ops: BATCH,
      fn: () =>
        run(
          Effect.gen(function* () {
            for (let i = 0; i < BATCH; i++) yield* Effect.void
          })
        )
    },
    cases: [
      {
        name: "Quotas.check(agent)",
        ops: BATCH,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < BATCH; i++) yield* quotas.check("sender")
            })
          )
      },
      {
        name: "Authorization.check(agent, capability)",
        ops: BATCH,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < BATCH; i++) yield* authorization.check("sender", `agent:tell:${sink.id}`)
            })
          )
      },
      {
        name: "node:crypto Ed25519 sign + verify (raw)",
        ops: 100,
        fn: () => {
          for (let i = 0; i < 100; i++) verify(null, rawBytes, raw.publicKey, sign(null, rawBytes, raw.privateKey))
        }
      },
      {
        name: "HMAC Tokens.issue + Tokens.verify",
        ops: 100,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < 100; i++) yield* tokens.verify(yield* tokens.issue("sender"))
            })
          )
      },
      {
        name: "Ed25519 seal + Identities.open",
        ops: 100,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < 100; i++) yield* identities.open(yield* signer.seal("x", i))
            })
          )
      }
    ]
  }
])
