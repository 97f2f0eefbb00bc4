import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Event, Output } from "../../src/coordination/index.ts"
import { Pbft } from "../../src/coordination/index.ts"

type M = Pbft.PbftMessage
type Out = Output<M, Pbft.PbftEmit>
const replicas = ["r0", "r1", "r2", "r3"]
const config: Pbft.PbftConfig = { ...Pbft.defaultPbftConfig(replicas, 1), checkpointInterval: 2 }
const crypto = Pbft.hmacCrypto("unit")
const client = crypto.authFor("client")
const at = (node: string) => ({ node, id: "pbft" })
const recv = (from: string, message: M, now = 0): Event<M> => ({
  _tag: "Receive",
  from: at(from),
  message,
  now,
  random: 0
})
const sends = (outputs: ReadonlyArray<Out>) =>
  outputs.flatMap((o) => (o._tag === "Send" ? [[o.to.node, o.message] as const] : []))
const request = (value: string): M => ({ _tag: "Request", request: Pbft.signRequest(client, value) })

/** Feeds events to one replica; returns its state and every output. */
const feed = (node: string, events: ReadonlyArray<Event<M>>) => {
  let s = Pbft.makePbft(config, crypto).init(at(node), undefined)
  const out: Array<Out> = []
  for (const e of events) {
    const next = Pbft.pbftStep(s, e)
    s = next.state
    out.push(...next.outputs)
  }
  return { state: s, outputs: out }
}

/**
 * Four replicas wired by a FIFO queue, stepped synchronously (no network, no clock): `drop`
 * decides which sends are lost, muted replicas (`silent`, `mute`) never send.
 */
const cluster = (
  scheme: Pbft.PbftCrypto,
  options: { silent?: ReadonlyArray<string>; drop?: (to: string, m: M) => boolean; config?: Pbft.PbftConfig } = {}
) => {
  const protocol = Pbft.makePbft(options.config ?? config, scheme)
  const states = new Map(replicas.map((r) => [r, protocol.init(at(r), undefined)]))
  const mute = new Set(options.silent ?? [])
  const committed = new Map<string, Map<number, string>>(replicas.map((r) => [r, new Map()]))
  const replies: Array<Pbft.Reply> = []
  const queue: Array<{ readonly from: string; readonly to: string; readonly message: M }> = []
  let now = 0
  const apply = (node: string, event: Event<M>) => {
    const next = Pbft.pbftStep(states.get(node)!, event)
    states.set(node, next.state)
    if (mute.has(node)) return next.outputs
    for (const o of next.outputs) {
      if (o._tag === "Send" && options.drop?.(o.to.node, o.message) !== true)
        queue.push({ from: node, to: o.to.node, message: o.message })
      if (o._tag === "Emit" && o.value._tag === "Committed") committed.get(node)!.set(o.value.seq, o.value.value)
    }
    return next.outputs
  }
  const deliver = () => {
    for (let guard = 0; queue.length > 0 && guard < 100_000; guard++) {
      const { from, message, to } = queue.shift()!
      if (to === "client") {
        if (message._tag === "Reply") replies.push(message)
      } else apply(to, recv(from, message, now))
    }
  }
  const toAll = (message: M) => {
    for (const r of replicas) apply(r, recv("client", message, now))
    deliver()
  }
  /** Advances to each replica's view-change timer and fires it. */
  const timeout = () => {
    for (const r of replicas) {
      const s = states.get(r)!
      if (s.timerAt === undefined) continue
      now = Math.max(now, s.timerAt)
      apply(r, { _tag: "Timer", key: "view", now, random: 0 })
    }
    deliver()
  }
  return { states, committed, replies, mute, apply, deliver, toAll, timeout }
}

describe("PBFT replica step function", () => {
  it("the primary orders a signed request: a signed pre-prepare to every backup (it does not prepare)", () => {
    const { outputs, state } = feed("r0", [recv("client", request("v"))])
    assert.strictEqual(state.seq, 1)
    const sent = sends(outputs)
    assert.deepStrictEqual(
      sent.map(([to, m]) => `${to}:${m._tag}`),
      ["r1:PrePrepare", "r2:PrePrepare", "r3:PrePrepare"]
    )
    const pp = sent[0]![1]
    assert.isTrue(
      pp._tag === "PrePrepare" && Pbft.verified(config, client, pp) && pp.replica === "r0" && pp.request?.value === "v"
    )
  })

  it("a request not signed by its client, or signed by a replica, is ignored", () => {
    const forged: M = {
      _tag: "Request",
      request: { client: "client", value: "v", sig: crypto.authFor("r3").sign("v") }
    }
    const byReplica: M = { _tag: "Request", request: Pbft.signRequest(crypto.authFor("r3"), "v") }
    const { outputs, state } = feed("r0", [recv("r3", forged), recv("r3", byReplica)])
    assert.deepStrictEqual(sends(outputs), [])
    assert.deepStrictEqual(state.pending, {})
  })

  it("a backup prepares after a pre-prepare and 2f prepares; a forged prepare (naming r2, signed by r3) does not count", () => {
    const r0 = feed("r0", [recv("client", request("v"))])
    const pp = sends(r0.outputs)[0]![1]
    const forged = Pbft.signed<Pbft.Prepare>(crypto.authFor("r3"), {
      _tag: "Prepare",
      view: 0,
      seq: 1,
      value: "v",
      replica: "r2"
    })
    const r1 = feed("r1", [recv("r0", pp), recv("r3", forged)])
    assert.isUndefined(r1.state.slots[1]?.prepared)
    assert.deepStrictEqual(Object.keys(r1.state.slots[1]?.prepares ?? {}), ["r1"])
    const real = Pbft.signed<Pbft.Prepare>(crypto.authFor("r2"), {
      _tag: "Prepare",
      view: 0,
      seq: 1,
      value: "v",
      replica: "r2"
    })
    const next = Pbft.pbftStep(r1.state, recv("r3", real))
    assert.strictEqual(next.state.slots[1]?.prepared?.prePrepare.request?.value, "v")
    assert.deepStrictEqual(
      sends(next.outputs).map(([to, m]) => `${to}:${m._tag}`),
      ["r0:Commit", "r2:Commit", "r3:Commit"]
    )
  })

  it("a backup ignores a pre-prepare not from the primary of its view, and keeps the first one of a sequence number", () => {
    const mk = (signer: string, value: string) =>
      Pbft.signed<Pbft.PrePrepare>(crypto.authFor(signer), {
        _tag: "PrePrepare",
        view: 0,
        seq: 1,
        request: Pbft.signRequest(client, value),
        replica: signer
      })
    const { state } = feed("r1", [recv("r2", mk("r2", "x")), recv("r0", mk("r0", "v")), recv("r0", mk("r0", "w"))])
    assert.strictEqual(state.slots[1]?.prePrepare?.request?.value, "v")
  })

  it("four replicas commit in order, reply to the client, and make a checkpoint stable", () => {
    const c = cluster(crypto)
    c.toAll(request("a"))
    c.toAll(request("b"))
    for (const r of replicas)
      assert.deepStrictEqual(
        [...c.committed.get(r)!],
        [
          [1, "a"],
          [2, "b"]
        ]
      )
    assert.strictEqual(c.replies.filter((m) => m.value === "a").length, 4)
    for (const r of replicas) assert.strictEqual(c.states.get(r)!.stable.seq, 2)
  })

  it("stable checkpoints bound the log: with keep 4, twelve requests leave at most 8 slots", () => {
    const small: Pbft.PbftConfig = { ...config, window: 2, keep: 4, checkpointInterval: 2 }
    const c = cluster(crypto, { config: small })
    const values = [...Array(12).keys()].map((i) => `v${i}`)
    for (const v of values) c.toAll(request(v))
    for (const r of replicas) {
      const s = c.states.get(r)!
      assert.deepStrictEqual([...c.committed.get(r)!.values()], values)
      assert.deepStrictEqual([s.committedUpTo, s.stable.seq, s.stable.proof.length], [12, 12, 3])
      assert.isAtMost(Object.keys(s.slots).length, 8)
      assert.isTrue(Pbft.validStable(small, crypto.authFor(r), s.stable))
    }
  })

  it("commits with real Ed25519 signatures, and an Ed25519 signature does not verify as another signer", () => {
    const ed = Pbft.ed25519Crypto("unit-seed")
    const auth = ed.authFor("r1")
    const sig = auth.sign("hello")
    assert.isTrue(auth.verify("r1", "hello", sig))
    assert.isFalse(auth.verify("r2", "hello", sig))
    assert.isFalse(auth.verify("r1", "hello!", sig))
    assert.strictEqual(Pbft.ed25519Crypto("unit-seed").authFor("r1").sign("hello"), sig)
    const c = cluster(ed, { silent: ["r3"] })
    c.toAll({ _tag: "Request", request: Pbft.signRequest(ed.authFor("client"), "a") })
    for (const r of ["r0", "r1", "r2"]) assert.deepStrictEqual([...c.committed.get(r)!], [[1, "a"]])
  })

  it.effect("a configuration with n < 3f + 1 is InvalidInput; malformed messages are rejected", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Pbft.validatePbftConfig(Pbft.defaultPbftConfig(["a", "b", "c"], 1)))
      assert.match(error.message, /^Pbft\.config: invalid input: needs n >= 3f \+ 1 distinct replicas/)
      assert.strictEqual(Pbft.quorumOf(config), 3)
      assert.strictEqual(Pbft.primaryOf(config, 5), "r1")
      assert.isFalse(Pbft.isPbftMessage({ _tag: "Prepare", view: 0, seq: 0, value: "v", replica: "r1", sig: "" }))
      assert.isFalse(Pbft.isPbftMessage({ _tag: "Prepare", view: 0, seq: 1, value: "v" }))
      assert.isFalse(
        Pbft.isPbftMessage({ _tag: "NewView", view: 1, viewChanges: [{}], prePrepares: [], replica: "r1", sig: "" })
      )
      assert.isTrue(Pbft.isPbftMessage(request("v")))
    })
  )
})

describe("PBFT view change", () => {
  it("with a silent primary, backups time out, the primary of view 1 sends a new-view and the request commits", () => {
    const c = cluster(crypto, { silent: ["r0"] })
    c.toAll(request("a"))
    for (const r of replicas) assert.strictEqual(c.committed.get(r)!.size, 0)
    c.timeout()
    for (const r of ["r1", "r2", "r3"]) {
      const s = c.states.get(r)!
      assert.strictEqual(s.view, 1)
      assert.strictEqual(s.status, "normal")
      assert.deepStrictEqual([...c.committed.get(r)!], [[1, "a"]])
    }
  })

  it("a value committed in view 0 keeps its sequence number in view 1, where a replica that missed the commits commits it", () => {
    // r3 misses every commit of view 0: it prepared "a" at seq 1 but did not commit it.
    let cut = true
    const c = cluster(crypto, { drop: (to, m) => cut && to === "r3" && m._tag === "Commit" })
    c.toAll(request("a"))
    assert.strictEqual(c.committed.get("r0")!.get(1), "a")
    assert.strictEqual(c.committed.get("r3")!.size, 0)
    assert.isDefined(c.states.get("r3")!.slots[1]?.prepared)
    cut = false
    // The primary falls silent: "b" is never ordered in view 0, so everyone times out.
    c.mute.add("r0")
    c.toAll(request("b"))
    c.timeout()
    for (const r of ["r1", "r2", "r3"]) {
      assert.strictEqual(c.states.get(r)!.view, 1)
      assert.deepStrictEqual([...c.committed.get(r)!].sort(), [
        [1, "a"],
        [2, "b"]
      ])
    }
    const nv = c.states.get("r2")!.newView!
    assert.deepStrictEqual(
      nv.prePrepares.map((pp) => [pp.seq, pp.request?.value]),
      [[1, "a"]]
    )
  })

  it("a new-view whose pre-prepares differ from what its view-changes determine, or with fewer than 2f + 1 of them, is rejected", () => {
    const c = cluster(crypto, { silent: ["r0"] })
    c.toAll(request("a"))
    c.timeout()
    const nv = c.states.get("r1")!.newView!
    const waiting = { ...c.states.get("r2")!, view: 1, status: "changing" as const, newView: undefined }
    assert.isTrue(Pbft.validNewView(waiting, nv))
    const r1 = crypto.authFor("r1")
    const extra = Pbft.signed<Pbft.PrePrepare>(r1, {
      _tag: "PrePrepare",
      view: 1,
      seq: 1,
      request: Pbft.signRequest(client, "evil"),
      replica: "r1"
    })
    const tampered = Pbft.signed<Pbft.NewView>(r1, { ...nv, prePrepares: [...nv.prePrepares, extra] })
    assert.isFalse(Pbft.validNewView(waiting, tampered))
    const short = Pbft.signed<Pbft.NewView>(r1, { ...nv, viewChanges: nv.viewChanges.slice(0, 2) })
    assert.isFalse(Pbft.validNewView(waiting, short))
    const forged = Pbft.signed<Pbft.NewView>(crypto.authFor("r3"), { ...nv, replica: "r1" })
    assert.isFalse(Pbft.validNewView(waiting, forged))
  })

  it("planNewView re-proposes the highest-view prepared value at each sequence number and fills gaps with the no-op", () => {
    const r0 = crypto.authFor("r0")
    const r1 = crypto.authFor("r1")
    const cert = (view: number, seq: number, value: string): Pbft.PreparedCert => {
      const primary = crypto.authFor(Pbft.primaryOf(config, view))
      const prePrepare = Pbft.signed<Pbft.PrePrepare>(primary, {
        _tag: "PrePrepare",
        view,
        seq,
        request: Pbft.signRequest(client, value),
        replica: primary.id
      })
      const prepares = replicas
        .filter((r) => r !== primary.id)
        .slice(0, 2)
        .map((r) => Pbft.signed<Pbft.Prepare>(crypto.authFor(r), { _tag: "Prepare", view, seq, value, replica: r }))
      return { prePrepare, prepares }
    }
    const genesis = { seq: 0, digest: Pbft.GENESIS, proof: [] }
    const vc = (auth: Pbft.PbftAuth, prepared: ReadonlyArray<Pbft.PreparedCert>) =>
      Pbft.signed<Pbft.ViewChange>(auth, { _tag: "ViewChange", view: 2, stable: genesis, prepared, replica: auth.id })
    const a = vc(r0, [cert(0, 1, "old"), cert(0, 3, "c")])
    const b = vc(r1, [cert(1, 1, "new")])
    assert.isTrue(Pbft.validViewChange(config, r0, a) && Pbft.validViewChange(config, r0, b))
    const plan = Pbft.planNewView([a, b])
    assert.deepStrictEqual(
      plan.requests.map((r) => [r.seq, r.request?.value ?? Pbft.NULL_VALUE]),
      [
        [1, "new"],
        [2, Pbft.NULL_VALUE],
        [3, "c"]
      ]
    )
    const bad = vc(r0, [{ ...cert(0, 1, "x"), prepares: cert(0, 1, "x").prepares.slice(0, 1) }])
    assert.isFalse(Pbft.validViewChange(config, r0, bad))
  })

  const viewChange = (node: string, view: number) =>
    Pbft.signed<Pbft.ViewChange>(crypto.authFor(node), {
      _tag: "ViewChange",
      view,
      stable: { seq: 0, digest: Pbft.GENESIS, proof: [] },
      prepared: [],
      replica: node
    })

  it("a replica joins the smallest later view that f + 1 others moved to", () => {
    const { outputs, state } = feed("r3", [recv("r1", viewChange("r1", 2)), recv("r2", viewChange("r2", 3))])
    assert.strictEqual(state.view, 2)
    assert.strictEqual(state.status, "changing")
    assert.deepStrictEqual(
      sends(outputs).map(([to, m]) => `${to}:${m._tag}:${m._tag === "ViewChange" ? m.view : ""}`),
      ["r0:ViewChange:2", "r1:ViewChange:2", "r2:ViewChange:2"]
    )
    const one = feed("r3", [recv("r1", viewChange("r1", 2))])
    assert.strictEqual(one.state.view, 0)
  })

  it("a replica changing views starts its timer only with 2f + 1 view-changes for its view, and helps one behind with its old view-change", () => {
    const first = feed("r3", [recv("client", request("a"))])
    assert.strictEqual(first.state.timerAt, config.viewTimeout)
    let s = Pbft.pbftStep(first.state, { _tag: "Timer", key: "view", now: 300, random: 0 }).state
    assert.deepStrictEqual([s.view, s.status, s.timerAt], [1, "changing", undefined])
    s = Pbft.pbftStep(s, recv("r1", viewChange("r1", 1), 310)).state
    assert.isUndefined(s.timerAt)
    const armed = Pbft.pbftStep(s, recv("r2", viewChange("r2", 1), 320))
    assert.strictEqual(armed.state.timerAt, 320 + 2 * config.viewTimeout)
    s = Pbft.pbftStep(armed.state, { _tag: "Timer", key: "view", now: 920, random: 0 }).state
    assert.deepStrictEqual([s.view, s.status], [2, "changing"])
    const help = Pbft.pbftStep(s, recv("r1", viewChange("r1", 1), 930))
    assert.deepStrictEqual(
      sends(help.outputs).map(
        ([to, m]) => `${to}:${m._tag}:${m._tag === "ViewChange" ? `${m.replica}@${m.view}` : ""}`
      ),
      ["r1:ViewChange:r3@1"]
    )
  })

  it("a replica that missed every message commits from the commit certificates its Fetch brings back", () => {
    let cut = true
    const c = cluster(crypto, { drop: (to) => cut && to === "r3" })
    c.toAll(request("a"))
    assert.strictEqual(c.committed.get("r3")!.size, 0)
    cut = false
    c.apply("r3", { _tag: "Timer", key: "resend", now: 100, random: 0 })
    c.deliver()
    assert.deepStrictEqual([...c.committed.get("r3")!], [[1, "a"]])
    assert.strictEqual(c.states.get("r3")!.slots[1]?.commitCert.length, 3)
  })
})
