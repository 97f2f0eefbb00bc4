import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Event, Output } from "../../src/coordination/index.ts"
import { Pbft } from "../../src/coordination/index.ts"

type M = Pbft.PbftMessage
const config = Pbft.defaultPbftConfig(["r0", "r1", "r2", "r3"], 1)
const replica = Pbft.makePbft(config)
const at = (node: string) => ({ node, id: "pbft" })
const recv = (from: string, message: M): Event<M> => ({ _tag: "Receive", from: at(from), message, now: 0, random: 0 })
const sends = (outputs: ReadonlyArray<Output<M, Pbft.PbftEmit>>) => outputs.flatMap((o) => (o._tag === "Send" ? [[o.to.node, o.message] as const] : []))
const emits = (outputs: ReadonlyArray<Output<M, Pbft.PbftEmit>>) => outputs.flatMap((o) => (o._tag === "Emit" ? [o.value] : []))

const feed = (node: string, events: ReadonlyArray<Event<M>>) => {
  let s = replica.init(at(node), undefined)
  const out: Array<Output<M, Pbft.PbftEmit>> = []
  for (const e of events) {
    const next = Pbft.pbftStep(s, e)
    s = next.state
    out.push(...next.outputs)
  }
  return { state: s, outputs: out }
}

describe("PBFT replica step function", () => {
  it("the primary orders a request: it pre-prepares and prepares it to every backup", () => {
    const { outputs, state } = feed("r0", [recv("client", { _tag: "Request", value: "v" })])
    assert.strictEqual(state.seq, 1)
    assert.deepStrictEqual(sends(outputs).map(([to, m]) => `${to}:${m._tag}`), ["r1:PrePrepare", "r2:PrePrepare", "r3:PrePrepare", "r1:Prepare", "r2:Prepare", "r3:Prepare"])
  })

  it("a backup commits after 2f + 1 matching prepares and 2f + 1 matching commits, not before", () => {
    const prepared = feed("r1", [
      recv("r0", { _tag: "PrePrepare", seq: 1, value: "v" }),
      recv("r0", { _tag: "Prepare", seq: 1, value: "v" })
    ])
    assert.isUndefined(prepared.state.slots[1]?.prepared)
    const more = feed("r1", [
      recv("r0", { _tag: "PrePrepare", seq: 1, value: "v" }),
      recv("r0", { _tag: "Prepare", seq: 1, value: "v" }),
      recv("r2", { _tag: "Prepare", seq: 1, value: "v" }),
      recv("r0", { _tag: "Commit", seq: 1, value: "v" }),
      recv("r3", { _tag: "Commit", seq: 1, value: "w" })
    ])
    assert.strictEqual(more.state.slots[1]?.prepared, "v")
    assert.deepStrictEqual(emits(more.outputs), [])
    const done = Pbft.pbftStep(more.state, recv("r2", { _tag: "Commit", seq: 1, value: "v" }))
    assert.deepStrictEqual(emits(done.outputs), [{ _tag: "Committed", seq: 1, value: "v" }])
    assert.strictEqual(done.state.committedUpTo, 1)
  })

  it("a backup keeps the first pre-prepare of a sequence number and ignores one not from the primary", () => {
    const { state } = feed("r1", [
      recv("r2", { _tag: "PrePrepare", seq: 1, value: "x" }),
      recv("r0", { _tag: "PrePrepare", seq: 1, value: "v" }),
      recv("r0", { _tag: "PrePrepare", seq: 1, value: "w" })
    ])
    assert.strictEqual(state.slots[1]?.pre, "v")
    assert.deepStrictEqual(state.slots[1]?.prepares, { v: ["r1"] })
  })

  it("answers a Fetch with its votes, so a replica behind catches up", () => {
    const { state } = feed("r0", [recv("client", { _tag: "Request", value: "v" })])
    const answer = Pbft.pbftStep(state, recv("r3", { _tag: "Fetch", seq: 1 }))
    assert.deepStrictEqual(sends(answer.outputs), [["r3", { _tag: "PrePrepare", seq: 1, value: "v" }], ["r3", { _tag: "Prepare", seq: 1, value: "v" }]])
  })

  it.effect("a configuration with n < 3f + 1 is InvalidInput", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Pbft.validatePbftConfig(Pbft.defaultPbftConfig(["a", "b", "c"], 1)))
      assert.strictEqual(error.message, `Pbft.config: invalid input: needs n >= 3f + 1 distinct replicas including the primary (n = 3, f = 1, primary "a")`)
      assert.strictEqual(Pbft.quorumOf(config), 3)
      assert.isFalse(Pbft.isPbftMessage({ _tag: "Prepare", seq: 0, value: "v" }))
    }))
})
