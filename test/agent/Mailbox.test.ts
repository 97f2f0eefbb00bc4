import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { Mailbox } from "../../src/agent/Mailbox.ts"

describe("Mailbox", () => {
  it.effect("a burst sent to an idle consumer is taken in one batch, after the sender's call", () =>
    Effect.gen(function* () {
      const mailbox = new Mailbox<number>(16)
      const taker = yield* Effect.forkChild(mailbox.takeAll, { startImmediately: true })
      assert.strictEqual(mailbox.offer(1), "accepted")
      // The consumer is not resumed inside the sender's call: what is sent next joins the batch.
      assert.isUndefined(taker.pollUnsafe())
      assert.strictEqual(mailbox.offer(2), "accepted")
      assert.strictEqual(mailbox.offer(3), "accepted")
      assert.deepStrictEqual(yield* Fiber.join(taker), [1, 2, 3])
      assert.strictEqual(mailbox.size, 0)
    })
  )

  it.effect("one burst to many idle mailboxes wakes every consumer, each with its own letters", () =>
    Effect.gen(function* () {
      const mailboxes = Array.from({ length: 200 }, () => new Mailbox<number>(4))
      const takers = yield* Effect.forEach(mailboxes, (m) => Effect.forkChild(m.takeAll, { startImmediately: true }))
      mailboxes.forEach((m, i) => {
        m.offer(i)
        m.offer(-i)
      })
      const batches = yield* Effect.forEach(takers, Fiber.join)
      assert.deepStrictEqual(
        batches,
        mailboxes.map((_, i) => [i, -i])
      )
    })
  )

  it.effect("an interrupted consumer leaves the letters queued for the next one", () =>
    Effect.gen(function* () {
      const mailbox = new Mailbox<string>(4)
      const first = yield* Effect.forkChild(mailbox.takeAll, { startImmediately: true })
      mailbox.offer("a") // its wake-up is scheduled, not run
      yield* Fiber.interrupt(first)
      assert.strictEqual(mailbox.size, 1)
      const second = yield* Effect.forkChild(mailbox.takeAll, { startImmediately: true })
      assert.deepStrictEqual(yield* Fiber.join(second), ["a"])
    })
  )

  it.effect("pushFront may exceed capacity (requeued letters are never dropped); offers wait until it is drained", () =>
    Effect.gen(function* () {
      const mailbox = new Mailbox<string>(2)
      assert.strictEqual(mailbox.offer("c"), "accepted")
      assert.strictEqual(mailbox.offer("d"), "accepted")
      mailbox.pushFront(["a", "b"])
      assert.strictEqual(mailbox.size, 4)
      assert.strictEqual(mailbox.offer("e"), "full")
      assert.deepStrictEqual(mailbox.drain(), ["a", "b", "c", "d"])
      assert.strictEqual(mailbox.offer("e"), "accepted")
      assert.strictEqual(mailbox.offer("f"), "accepted")
      assert.strictEqual(mailbox.offer("g"), "full")
    })
  )

  it.effect("close wakes the waiting consumer with an empty batch", () =>
    Effect.gen(function* () {
      const mailbox = new Mailbox<number>(2)
      const taker = yield* Effect.forkChild(mailbox.takeAll, { startImmediately: true })
      mailbox.close()
      assert.deepStrictEqual(yield* Fiber.join(taker), [])
      assert.strictEqual(mailbox.offer(1), "closed")
    })
  )
})
