/**
 * Attacks on the audit log (issue 29): whoever can write the store but does not hold the key edits,
 * re-hashes, reorders, inserts, deletes (head, middle, tail) or truncates records, and `verify`
 * names the first bad index every time. A flood of denials cannot crowd out the other records.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Result } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { EventStore } from "../../src/events/index.ts"
import {
  AUDIT_EVENT_TYPE,
  AuditLog,
  type AuditRecord,
  type Checkpoint,
  GENESIS,
  hashRecord,
  verifyChain
} from "../../src/security/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"
import { auditKey, keyedAudit } from "./fixtures.ts"

const N = 10

const fill = (n: number) =>
  Effect.gen(function* () {
    const audit = yield* AuditLog
    for (let i = 0; i < n; i++) {
      yield* audit.record({ type: "security.granted", agent: `a${i}`, detail: { i } })
      yield* TestClock.adjust("1 millis")
    }
    // What an operator does periodically and the log does when it closes: pin the head.
    yield* audit.checkpoint
    return { records: yield* audit.records, checkpoints: yield* audit.checkpoints }
  })

const Log = Layer.orDie(AuditLog.layerWith({ key: auditKey, checkpointEvery: 3 }))

/** An attacker without the key re-links a tampered chain with plain SHA-256 from `from` on. */
const relink = (records: ReadonlyArray<AuditRecord>, from: number): Array<AuditRecord> => {
  const out: Array<AuditRecord> = []
  for (const [i, r] of records.entries()) {
    if (i < from) {
      out.push(r)
      continue
    }
    const prev = i === 0 ? GENESIS : (out[i - 1] as AuditRecord).hash
    const body = { ...r, index: i, prev }
    out.push({ ...body, hash: hashRecord(prev, body) })
  }
  return out
}

const firstBad = (records: ReadonlyArray<unknown>, checkpoints: ReadonlyArray<Checkpoint>) => {
  const result = verifyChain(records, { key: auditKey, complete: true, checkpoints })
  return Result.isFailure(result) ? [result.failure.index, result.failure.reason as string] : "ok"
}

const edit = (r: AuditRecord): AuditRecord => ({ ...r, detail: { i: 999 } })

const attacks: ReadonlyArray<
  readonly [string, (rs: ReadonlyArray<AuditRecord>) => ReadonlyArray<AuditRecord>, [number, string]]
> = [
  ["edit at the head", (rs) => rs.map((r, i) => (i === 0 ? edit(r) : r)), [0, "hash-mismatch"]],
  ["edit in the middle", (rs) => rs.map((r, i) => (i === 4 ? edit(r) : r)), [4, "hash-mismatch"]],
  ["edit at the tail", (rs) => rs.map((r, i) => (i === N - 1 ? edit(r) : r)), [N - 1, "hash-mismatch"]],
  [
    "edit in the middle, then re-hash the rest",
    (rs) =>
      relink(
        rs.map((r, i) => (i === 4 ? edit(r) : r)),
        4
      ),
    [4, "hash-mismatch"]
  ],
  ["rebuild the whole chain", (rs) => relink(rs.map(edit), 0), [0, "hash-mismatch"]],
  [
    "reorder two records",
    (rs) => [...rs.slice(0, 3), rs[4], rs[3], ...rs.slice(5)] as Array<AuditRecord>,
    [3, "index-gap"]
  ],
  [
    "insert a record",
    (rs) => [...rs.slice(0, 5), { ...(rs[4] as AuditRecord), index: 5 }, ...rs.slice(5)],
    [5, "broken-link"]
  ],
  ["delete the head", (rs) => rs.slice(1), [0, "missing-head"]],
  ["delete the head and renumber", (rs) => relink(rs.slice(1), 0), [0, "hash-mismatch"]],
  ["delete in the middle", (rs) => rs.filter((_, i) => i !== 5), [5, "index-gap"]],
  ["delete the tail", (rs) => rs.slice(0, N - 1), [N - 1, "truncated"]],
  ["truncate to half", (rs) => rs.slice(0, N / 2), [N / 2, "truncated"]]
]

describe("audit log tampering", () => {
  for (const [name, tamper, expected] of attacks) {
    it.effect(`${name}: verify names index ${expected[0]} (${expected[1]})`, () =>
      Effect.gen(function* () {
        const { checkpoints, records } = yield* fill(N)
        assert.strictEqual(firstBad(records, checkpoints), "ok")
        assert.deepStrictEqual(firstBad(tamper(records), checkpoints), expected)
      }).pipe(Effect.provide(Log))
    )
  }

  it.effect("a forged checkpoint is refused", () =>
    Effect.gen(function* () {
      const { checkpoints, records } = yield* fill(N)
      const last = checkpoints[checkpoints.length - 1] as Checkpoint
      assert.deepStrictEqual(firstBad(records, [...checkpoints, { ...last, index: N + 5 }]), [
        N + 5,
        "checkpoint-mismatch"
      ])
    }).pipe(Effect.provide(Log))
  )

  const tempFile = Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-audit-tamper-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.map((dir) => join(dir, "audit.db")))

  it.effect("a tail cut from the database is detected, also by the next run given the checkpoints kept apart", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const layer = (checkpoints: ReadonlyArray<Checkpoint> = []) =>
        Layer.orDie(AuditLog.layerWith({ key: auditKey, checkpointEvery: 3, checkpoints })).pipe(
          Layer.provideMerge(Layer.orDie(EventStore.layerSql())),
          Layer.provideMerge(SqliteClient.layer({ filename })),
          Layer.fresh
        )
      const kept = yield* Effect.gen(function* () {
        const audit = yield* AuditLog
        const { checkpoints } = yield* fill(N)
        const sql = yield* SqlClient.SqlClient
        yield* sql`DELETE FROM mabeam_events WHERE id IN ('audit-8', 'audit-9')`
        assert.deepInclude(yield* Effect.flip(audit.verifyStored), { index: 8, reason: "truncated" })
        return checkpoints
      }).pipe(Effect.provide(layer()))
      yield* Effect.gen(function* () {
        // The next run trusts the store for its head, but not against the checkpoints.
        const error = yield* Effect.flip((yield* AuditLog).verifyStored)
        assert.deepInclude(error, { index: 8, reason: "truncated" })
      }).pipe(Effect.provide(layer(kept)))
    })
  )

  it.effect("a flood of denials is capped per agent and summed up; the other security records stay", () =>
    Effect.gen(function* () {
      const audit = yield* AuditLog
      yield* audit.record({ type: "security.granted", agent: "alice", detail: { capability: "x" } })
      for (let i = 0; i < 10_000; i++)
        yield* audit.record({ type: "security.unauthorized", agent: "mallory", detail: { i } })
      yield* TestClock.adjust("1 second")
      yield* audit.record({ type: "security.unauthorized", agent: "mallory", detail: { i: "late" } })
      yield* audit.record({ type: "security.unauthorized", agent: "bob", detail: { i: 0 } })
      const records = yield* audit.records
      assert.strictEqual(records.length, 1 + 50 + 1 + 1 + 1)
      assert.deepStrictEqual(records[0]?.type, "security.granted")
      assert.deepStrictEqual(records.find((r) => r.type === "security.suppressed")?.detail, { suppressed: 10_000 - 50 })
      assert.strictEqual(records[records.length - 1]?.agent, "bob")
      assert.strictEqual(yield* audit.verify, records.length)
    }).pipe(Effect.provide(Log))
  )

  it.effect(
    "a flood of denials from thousands of distinct agents cannot evict the other records from a store with retention",
    () =>
      Effect.gen(function* () {
        const audit = yield* AuditLog
        const store = yield* EventStore
        yield* audit.record({ type: "security.granted", agent: "alice", detail: { capability: "x" } })
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 2_000; i++)
            yield* audit.record({ type: "security.unauthorized", agent: `bot-${i}`, detail: { round } })
        }
        yield* audit.record({ type: "security.revoked", agent: "alice", detail: { capability: "x" } })
        yield* TestClock.adjust("1 second")
        yield* audit.record({ type: "security.unauthorized", agent: "bot-0", detail: { round: "late" } })
        const stored = (yield* store.query({ type: AUDIT_EVENT_TYPE, limit: 1_000 })).events.map(
          (e) => e.payload as AuditRecord
        )
        // Everything recorded is still in the store of 500 events: the grant, the revocation, the
        // denials the total budget let in (200 a second), and the summary of the rest.
        assert.strictEqual(stored[0]?.type, "security.granted")
        assert.isTrue(stored.some((r) => r.type === "security.revoked"))
        assert.strictEqual(stored.filter((r) => r.type === "security.unauthorized").length, 200 + 1)
        assert.deepStrictEqual(stored.find((r) => r.type === "security.suppressed")?.detail, {
          suppressed: 6_000 - 200
        })
        assert.strictEqual(stored.find((r) => r.type === "security.suppressed")?.agent, "*all*")
        assert.strictEqual(yield* audit.verifyStored, stored.length)
      }).pipe(
        Effect.provide(
          keyedAudit.pipe(Layer.provideMerge(Layer.orDie(EventStore.layerMemory({ maxCount: 500, maxAgeMillis: 0 }))))
        )
      )
  )
})
