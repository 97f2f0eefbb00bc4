import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Quotas, Usage } from "../../src/resources/index.ts"
import {
  AuditLog,
  Authorization,
  Capabilities,
  Identities,
  makeSecureRef,
  receive,
  seal,
  spawnChild
} from "../../src/security/index.ts"
import { securityLayer } from "./fixtures.ts"

const Note = Agent.message("Note", { text: Schema.String })
const Count = Agent.request("Count", {}, Schema.Number)
const Messages = Schema.Union([Note, Count])
const Notebook = Agent.make({
  name: "notebook",
  messages: Messages,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Count") ctx.reply(msg, n)
    return msg._tag === "Note" ? n + 1 : n
  }
})

const withAgents = (options: Parameters<typeof securityLayer>[0] = {}) =>
  securityLayer(options).pipe(
    Layer.provideMerge(Quotas.layer),
    Layer.provideMerge(Usage.layer),
    Layer.provideMerge(AgentSystem.layer)
  )

describe("Authorization", () => {
  it.effect("deny by default: Unauthorized names the missing capability; a grant allows; revoke denies again", () =>
    Effect.gen(function* () {
      const authz = yield* Authorization
      const error = yield* Effect.flip(authz.check("a", "agent:spawn"))
      assert.deepInclude(error, { _tag: "Unauthorized", agent: "a", capability: "agent:spawn" })
      assert.include(error.message, `lacks capability "agent:spawn"`)
      yield* authz.grant("a", "agent:spawn")
      yield* authz.check("a", "agent:spawn")
      assert.isTrue(yield* authz.revoke("a", "agent:spawn"))
      assert.isFalse(yield* authz.revoke("a", "agent:spawn"))
      assert.strictEqual((yield* Effect.flip(authz.check("a", "agent:spawn")))._tag, "Unauthorized")
      const types = (yield* (yield* AuditLog).records).map((r) => r.type)
      assert.deepStrictEqual(types, [
        "security.unauthorized",
        "security.granted",
        "security.revoked",
        "security.unauthorized"
      ])
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("patterns: `*` at the end covers the remaining segments, and only those", () =>
    Effect.gen(function* () {
      const authz = yield* Authorization
      yield* authz.grant("a", "agent:tell:*")
      yield* authz.check("a", "agent:tell:w1")
      yield* authz.check("a", "agent:tell:pool:w2")
      assert.strictEqual((yield* Effect.flip(authz.check("a", "agent:ask:w1")))._tag, "Unauthorized")
      assert.strictEqual((yield* Effect.flip(authz.check("a", "agent:tell")))._tag, "Unauthorized")
      yield* authz.grant("root", "*")
      yield* authz.check("root", "ledger:transfer:acct-7")
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("permissive mode audits what it would deny but allows it", () =>
    Effect.gen(function* () {
      yield* (yield* Authorization).check("a", "agent:spawn")
      const records = yield* (yield* AuditLog).records
      assert.deepInclude(records[0], { type: "security.would-deny", agent: "a" })
    }).pipe(Effect.provide(securityLayer({ authorization: { mode: "permissive" } })))
  )

  it.effect("delegation gives a child only what its parent holds (least privilege)", () =>
    Effect.gen(function* () {
      const authz = yield* Authorization
      assert.deepStrictEqual(yield* authz.grantsOf("child"), [])
      const error = yield* Effect.flip(authz.delegate("parent", "child", ["agent:tell:w1", "agent:spawn"]))
      assert.deepInclude(error, { _tag: "Unauthorized", agent: "parent", capability: "agent:spawn" })
      assert.deepStrictEqual(yield* authz.grantsOf("child"), [])
      yield* authz.delegate("parent", "child", ["agent:tell:w1"])
      yield* authz.check("child", "agent:tell:w1")
      assert.strictEqual((yield* Effect.flip(authz.check("child", "agent:tell:w2")))._tag, "Unauthorized")
    }).pipe(Effect.provide(securityLayer({ authorization: { grants: { parent: ["agent:tell:*"] } } })))
  )

  it.effect("spawn and budget spending are denied without their capability and allowed with it", () =>
    Effect.gen(function* () {
      const authz = yield* Authorization
      const quotas = yield* Quotas
      const spawn = authz.authorize("a", "agent:spawn")(quotas.spawn("a", Notebook))
      assert.strictEqual((yield* Effect.flip(spawn))._tag, "Unauthorized")
      assert.strictEqual((yield* AgentSystem).size(), 0)
      yield* authz.grant("a", "agent:spawn")
      yield* spawn
      const spend = authz.authorize("a", "budget:spend:team")(Effect.succeed("spent"))
      assert.deepInclude(yield* Effect.flip(spend), { capability: "budget:spend:team" })
      yield* authz.grant("a", "budget:spend:team")
      assert.strictEqual(yield* spend, "spent")
    }).pipe(Effect.provide(withAgents()))
  )

  it.effect("bad input fails with InvalidInput and grants nothing", () =>
    Effect.gen(function* () {
      const authz = yield* Authorization
      for (const [agent, capability] of [
        ["", "x"],
        ["a", ""],
        ["a", "a::b"],
        ["a", "a:*:b"],
        ["a", "has space"]
      ] as const) {
        assert.strictEqual((yield* Effect.flip(authz.grant(agent, capability)))._tag, "InvalidInput")
      }
      assert.deepStrictEqual(yield* authz.grantsOf("a"), [])
      const bad = yield* Effect.flip(
        Layer.build(Authorization.layerWith({ mode: "loose" as "enforce" }).pipe(Layer.provide(AuditLog.layer)))
      )
      assert.strictEqual(bad.where, "Authorization.layerWith")
    }).pipe(Effect.provide(securityLayer()))
  )
})

describe("SecureRef", () => {
  it.effect("tell and ask are signed, verified and authorized per operation", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const identities = yield* Identities
      const authz = yield* Authorization
      const book = yield* system.spawn(Notebook, { id: "book" })
      const secure = yield* makeSecureRef(book, yield* identities.issue("writer"), Messages)
      assert.deepInclude(yield* Effect.flip(secure.tell(Note.make({ text: "x" }))), {
        _tag: "Unauthorized",
        capability: "agent:tell:book"
      })
      yield* authz.grant("writer", "agent:tell:book")
      yield* secure.tell(Note.make({ text: "hello" }))
      assert.deepInclude(yield* Effect.flip(secure.ask(Count.make({}))), { capability: "agent:ask:book" })
      yield* authz.grant("writer", "agent:ask:book")
      assert.strictEqual(yield* secure.ask(Count.make({})), 1)
    }).pipe(Effect.provide(withAgents()))
  )

  it.effect("receive rejects a forged or replayed envelope before the agent sees it", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const identities = yield* Identities
      const book = yield* system.spawn(Notebook, { id: "book" })
      yield* (yield* Authorization).grant("writer", "agent:*")
      const signer = yield* identities.issue("writer")
      const envelope = yield* seal(signer, book, Messages, "tell", Note.make({ text: "once" }))
      yield* receive(envelope, book, Messages)
      assert.strictEqual((yield* Effect.flip(receive(envelope, book, Messages)))._tag, "ReplayDetected")
      const other = yield* seal(signer, book, Messages, "tell", Note.make({ text: "twice" }))
      const tampered = { ...other, payload: { kind: "tell", message: { _tag: "Note", text: "evil" } } }
      assert.strictEqual((yield* Effect.flip(receive(tampered, book, Messages)))._tag, "InvalidSignature")
      const secure = yield* makeSecureRef(book, signer, Messages)
      assert.strictEqual(yield* secure.ask(Count.make({})), 1)
    }).pipe(Effect.provide(withAgents()))
  )

  it.effect("a signed payload that is not a message of the agent fails with InvalidInput", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const book = yield* system.spawn(Notebook, { id: "book" })
      yield* (yield* Authorization).grant("writer", "agent:*")
      const signer = yield* (yield* Identities).issue("writer")
      const envelope = yield* signer.seal("book", { kind: "tell", message: { _tag: "Nope" } })
      assert.deepInclude(yield* Effect.flip(receive(envelope, book, Messages)), {
        _tag: "InvalidInput",
        where: "SecureRef.receive"
      })
    }).pipe(Effect.provide(withAgents()))
  )
})

describe("spawnChild", () => {
  it.effect(
    "needs agent:spawn; the child holds exactly the delegated grants; a grant the parent lacks stops the child",
    () =>
      Effect.gen(function* () {
        const authz = yield* Authorization
        const system = yield* AgentSystem
        assert.deepInclude(yield* Effect.flip(spawnChild("parent", Notebook, [])), {
          _tag: "Unauthorized",
          capability: "agent:spawn"
        })
        yield* authz.grant("parent", Capabilities.spawn)
        yield* authz.grant("parent", "agent:tell:*")
        const child = yield* spawnChild("parent", Notebook, [Capabilities.tell("db")], { id: "child" })
        assert.deepStrictEqual(yield* authz.grantsOf(child.id), ["agent:tell:db"])
        assert.strictEqual((yield* Effect.flip(authz.check(child.id, Capabilities.spawn)))._tag, "Unauthorized")
        const error = yield* Effect.flip(spawnChild("parent", Notebook, [Capabilities.spend("team")], { id: "greedy" }))
        assert.deepInclude(error, { _tag: "Unauthorized", capability: "budget:spend:team" })
        yield* Effect.yieldNow
        assert.isTrue(Option.isNone(system.lookup("greedy")))
      }).pipe(Effect.provide(withAgents()))
  )
})
