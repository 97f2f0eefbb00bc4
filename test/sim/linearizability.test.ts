import { assert, describe, it } from "@effect/vitest"
import type { LockInput, LockOutput, Operation, RegisterInput } from "../../src/sim/index.ts"
import {
  checkLinearizable,
  counterModel,
  History,
  leaseLockModel,
  linearizabilityViolation,
  registerModel
} from "../../src/sim/index.ts"

const op = <I, O>(client: string, input: I, call: number, output: O | undefined, ret?: number): Operation<I, O> => ({
  client,
  input,
  call,
  output,
  ret: output === undefined ? Infinity : (ret ?? call + 1)
})
const rop = op<RegisterInput, string | null>
const cop = op<{ readonly _tag: "Increment" }, number>
const put = (key: string, value: string): RegisterInput => ({ _tag: "Put", key, value })
const get = (key: string): RegisterInput => ({ _tag: "Get", key })
const inc = { _tag: "Increment" } as const

describe("linearizability checker", () => {
  it("register: concurrent reads may see either value, a read after a completed write must see it", () => {
    const ok = [
      rop("a", put("x", "1"), 0, "1", 10),
      rop("b", get("x"), 1, null, 5), // concurrent with the write: may read the old value
      rop("c", get("x"), 2, "1", 6)
    ]
    assert.strictEqual(checkLinearizable(registerModel, ok)._tag, "Linearizable")
    const stale = [rop("a", put("x", "1"), 0, "1", 10), rop("b", get("x"), 11, null, 12)]
    const result = checkLinearizable(registerModel, stale)
    assert.strictEqual(result._tag, "NotLinearizable")
    assert.match(linearizabilityViolation(result) ?? "", /of "x".*b get x -> null/)
  })

  it("register: a read cannot go back to an older value once a later read saw the new one", () => {
    const history = [
      rop("a", put("x", "1"), 0, "1", 100),
      rop("b", get("x"), 10, "1", 20),
      rop("c", get("x"), 30, null, 40)
    ]
    assert.strictEqual(checkLinearizable(registerModel, history)._tag, "NotLinearizable")
  })

  it("register: keys are independent partitions", () => {
    const history = [rop("a", put("x", "1"), 0, "1", 1), rop("b", get("y"), 2, null, 3), rop("c", get("x"), 4, "1", 5)]
    assert.strictEqual(checkLinearizable(registerModel, history)._tag, "Linearizable")
  })

  it("pending operations may have taken effect or not", () => {
    const tookEffect = [rop("a", put("x", "1"), 0, undefined), rop("b", get("x"), 5, "1", 6)]
    const didNot = [rop("a", put("x", "1"), 0, undefined), rop("b", get("x"), 5, null, 6)]
    assert.strictEqual(checkLinearizable(registerModel, tookEffect)._tag, "Linearizable")
    assert.strictEqual(checkLinearizable(registerModel, didNot)._tag, "Linearizable")
    // ...but not before its call.
    const early = [rop("b", get("x"), 0, "1", 1), rop("a", put("x", "1"), 5, undefined)]
    assert.strictEqual(checkLinearizable(registerModel, early)._tag, "NotLinearizable")
  })

  it("counter: a timed-out increment explains a gap; a repeated value does not linearize", () => {
    const gap = [cop("a", inc, 0, undefined), cop("b", inc, 10, 2, 11)]
    assert.strictEqual(checkLinearizable(counterModel, gap)._tag, "Linearizable")
    const twice = [cop("a", inc, 0, 1, 5), cop("b", inc, 1, 1, 6)]
    assert.strictEqual(checkLinearizable(counterModel, twice)._tag, "NotLinearizable")
    const reordered = [cop("a", inc, 0, 2, 5), cop("b", inc, 6, 1, 7)]
    assert.strictEqual(checkLinearizable(counterModel, reordered)._tag, "NotLinearizable")
  })

  it("lease lock: grants need the previous lease released or expired, and the next token", () => {
    const acquire = (ttl: number): LockInput => ({ _tag: "Acquire", ttl })
    const granted = (token: number, expires: number): LockOutput => ({ _tag: "Granted", token, expires })
    const released: LockOutput = { _tag: "Released" }
    const fine = [
      op("a", acquire(100), 0, granted(1, 105), 10), // granted at 5
      op("b", acquire(50), 20, granted(2, 160), 120), // granted at 110, after a's lease ended
      op("b", { _tag: "Release", token: 2 } as LockInput, 130, released, 140),
      op("c", acquire(50), 141, granted(3, 195), 150) // released: granted at 145 before b's lease ended
    ]
    assert.strictEqual(checkLinearizable(leaseLockModel, fine)._tag, "Linearizable")
    const overlap = [op("a", acquire(100), 0, granted(1, 105), 10), op("b", acquire(50), 20, granted(2, 80), 40)]
    assert.strictEqual(checkLinearizable(leaseLockModel, overlap)._tag, "NotLinearizable")
    const skipped = [op("a", acquire(100), 0, granted(1, 105), 10), op("b", acquire(50), 200, granted(3, 260), 240)]
    assert.strictEqual(checkLinearizable(leaseLockModel, skipped)._tag, "NotLinearizable")
    // A timed-out acquire may have consumed the skipped token, but only after a's lease ended.
    const timedOut = [...skipped, op<LockInput, LockOutput>("c", acquire(30), 50, undefined)]
    assert.strictEqual(checkLinearizable(leaseLockModel, timedOut)._tag, "Linearizable")
    const lowerAfterHigher = [
      op("a", acquire(100), 0, granted(2, 105), 10),
      op("b", acquire(50), 200, granted(1, 260), 240)
    ]
    assert.strictEqual(checkLinearizable(leaseLockModel, lowerAfterHigher)._tag, "NotLinearizable")
  })

  it("gives up with Unknown rather than a wrong verdict when the search budget runs out", () => {
    const history = Array.from({ length: 12 }, (_, i) => cop(`c${i}`, inc, 0, undefined))
    history.push(cop("z", inc, 1, 99, 2))
    const result = checkLinearizable(counterModel, history, { maxStates: 50 })
    assert.strictEqual(result._tag, "Unknown")
    assert.match(linearizabilityViolation(result) ?? "", /undecided/)
  })

  it("History records calls once, keeps the first answer, leaves the unanswered pending", () => {
    const history = new History<RegisterInput, string | null>(2)
    history.invoke("1", "a", put("x", "1"), 0)
    history.invoke("1", "a", put("x", "1"), 5)
    history.invoke("2", "b", get("x"), 1)
    history.invoke("3", "c", get("x"), 2)
    history.complete("1", "1", 7)
    history.complete("1", "2", 9)
    history.complete("9", "1", 9)
    assert.isTrue(history.truncated)
    assert.isTrue(history.isPending("2"))
    assert.deepStrictEqual(history.operations(), [
      { client: "a", input: put("x", "1"), call: 0, output: "1", ret: 7 },
      { client: "b", input: get("x"), call: 1, output: undefined, ret: Infinity }
    ])
  })
})
