import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Result } from "effect"
import { SqlClient } from "effect/sql"
import { SqliteClient } from "../../src/sql/index.ts"
import { TestClock } from "effect/testing"
import { EventStore } from "../../src/events/index.ts"
import {
  AuditLog,
  type AuditRecord,
  GENESIS,
  hashRecord,
  MAX_AUDIT_RECORDS,
  verifyChain
} from "../../src/security/index.ts"
import { auditKey, auditLayer, keyedAudit } from "./fixtures.ts"

const fill = (n: number) =>
  Effect.gen(function* () {
    const audit = yield* AuditLog
    for (let i = 0; i < n; i++) {
      yield* audit.record({ type: "test.event", agent: `a${i % 3}`, detail: { i } })
      yield* TestClock.adjust("1 millis")
    }
    return yield* audit.records
  })

const brokenAt = (records: ReadonlyArray<unknown>) => {
  const result = verifyChain(records, { key: auditKey })
  return Result.isFailure(result) ? [result.failure.index, result.failure.reason] : "ok"
}

const tempFile = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-audit-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => join(dir, "audit.db")))

describe("AuditLog", () => {
  it.effect("over the SQLite event store the chain survives a restart, and tampering in the database is detected", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const layer = () =>
        keyedAudit.pipe(
          Layer.provideMerge(Layer.orDie(EventStore.layerSql())),
          Layer.provideMerge(SqliteClient.layer({ filename })),
          Layer.fresh
        )
      yield* Effect.provide(fill(3), layer())
      yield* Effect.gen(function* () {
        const audit = yield* AuditLog
        assert.strictEqual((yield* audit.record({ type: "after.restart", agent: "a", detail: 1 }))?.index, 3)
        assert.strictEqual(yield* audit.verifyStored, 4)
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE mabeam_events SET payload = replace(payload, '"i":1', '"i":7') WHERE id = 'audit-1'`
        const error = yield* Effect.flip(audit.verifyStored)
        assert.deepInclude(error, { _tag: "AuditChainBroken", index: 1, reason: "hash-mismatch" })
        yield* sql`DELETE FROM mabeam_events WHERE id = 'audit-1'`
        assert.deepInclude(yield* Effect.flip(audit.verifyStored), { index: 1, reason: "index-gap" })
      }).pipe(Effect.provide(layer()))
    })
  )

  it.effect("records form a chain from GENESIS, each carrying the hash of the previous", () =>
    Effect.gen(function* () {
      const records = yield* fill(3)
      assert.strictEqual(records[0]?.prev, GENESIS)
      assert.strictEqual(records[1]?.prev, records[0]?.hash)
      assert.deepStrictEqual(
        records.map((r) => [r.index, r.time]),
        [
          [0, 0],
          [1, 1],
          [2, 2]
        ]
      )
      assert.strictEqual(yield* (yield* AuditLog).verify, 3)
      assert.strictEqual(yield* (yield* AuditLog).verifyStored, 3)
    }).pipe(Effect.provide(auditLayer))
  )

  it.effect("verify detects an altered, removed, reordered or re-hashed record", () =>
    Effect.gen(function* () {
      const records = yield* fill(5)
      const at = (i: number) => records[i] as AuditRecord
      assert.strictEqual(brokenAt(records), "ok")
      const altered = records.map((r, i) => (i === 2 ? { ...r, detail: { i: 99 } } : r))
      assert.deepStrictEqual(brokenAt(altered), [2, "hash-mismatch"])
      const removed = records.filter((_, i) => i !== 2)
      assert.deepStrictEqual(brokenAt(removed), [2, "index-gap"])
      const reordered = [at(0), at(2), at(1), at(3), at(4)]
      assert.deepStrictEqual(brokenAt(reordered), [1, "index-gap"])
      // Re-hashing without the key (plain sha256, or HMAC under a guessed key) is caught at the edit.
      const rehashedBody = { ...at(2), detail: { i: 99 } }
      const rehashed = records.map((r, i) =>
        i === 2 ? { ...rehashedBody, hash: hashRecord(rehashedBody.prev, rehashedBody) } : r
      )
      assert.deepStrictEqual(brokenAt(rehashed), [2, "hash-mismatch"])
      const renumbered = records.slice(1).map((r) => ({ ...r }))
      assert.strictEqual(brokenAt(renumbered), "ok", "a tail without an anchor is trusted to start where it says")
      assert.deepStrictEqual(
        Result.isFailure(verifyChain(renumbered, { anchor: { index: 0, hash: GENESIS }, key: auditKey })),
        true
      )
      const fakeGenesis = { ...at(0), prev: "ab".repeat(32) }
      assert.deepStrictEqual(
        brokenAt([{ ...fakeGenesis, hash: hashRecord(fakeGenesis.prev, fakeGenesis, auditKey) }]),
        [0, "broken-link"]
      )
      assert.deepStrictEqual(brokenAt([at(0), { not: "a record" }]), [1, "malformed"])
    }).pipe(Effect.provide(auditLayer))
  )

  it.effect("the chain continues across a restart over the same event store, and the stored chain verifies", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const storeLayer = Layer.succeed(EventStore, store)
      yield* Effect.provide(fill(2), Layer.fresh(keyedAudit.pipe(Layer.provide(storeLayer))))
      const second = yield* Effect.provide(
        Effect.gen(function* () {
          const audit = yield* AuditLog
          const record = yield* audit.record({ type: "after.restart", agent: "", detail: null })
          return { record, stored: yield* audit.verifyStored }
        }),
        Layer.fresh(keyedAudit.pipe(Layer.provide(storeLayer)))
      )
      assert.strictEqual(second.record?.index, 2)
      assert.strictEqual(second.stored, 3)
    }).pipe(Effect.provide(Layer.orDie(EventStore.layerMemory())))
  )

  it.effect("memory keeps the last MAX_AUDIT_RECORDS; the tail verifies from its anchor", () =>
    Effect.gen(function* () {
      const audit = yield* AuditLog
      for (let i = 0; i < MAX_AUDIT_RECORDS + 5; i++) yield* audit.record({ type: "bulk", agent: "a", detail: i })
      const records = yield* audit.records
      assert.strictEqual(records.length, MAX_AUDIT_RECORDS)
      assert.strictEqual(records[0]?.index, 5)
      assert.strictEqual(yield* audit.verify, MAX_AUDIT_RECORDS)
    }).pipe(Effect.provide(AuditLog.layer))
  )

  it.effect("bad entries fail with InvalidInput and append nothing", () =>
    Effect.gen(function* () {
      const audit = yield* AuditLog
      for (const entry of [
        { type: "", agent: "a", detail: 1 },
        { type: "t", agent: 1, detail: 1 },
        { type: "t", agent: "a", detail: () => 1 }
      ]) {
        assert.strictEqual((yield* Effect.flip(audit.record(entry as never)))._tag, "InvalidInput")
      }
      assert.strictEqual((yield* audit.records).length, 0)
    }).pipe(Effect.provide(auditLayer))
  )
})
