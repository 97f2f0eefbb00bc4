/**
 * A cluster ask between two runner processes is one trace: runner a (this process, exporting to
 * an in-test OTLP receiver) asks an agent that lives on runner b (a child process whose only
 * telemetry setting is `OTEL_EXPORTER_OTLP_ENDPOINT`); b's server span is a child of a's client
 * span, and each runner reports its own `service.instance.id`. b's background database polling
 * exports no traces of its own.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ClusterStorage } from "../../src/cluster/index.ts"
import { layerOtlp, TelemetryFlush } from "../../src/telemetry/index.ts"
import { eventually, Get, Increment } from "../cluster/fixtures.ts"
import { freePort, LoopbackCounter, ownerOf, startRunnerLayer, runnerLayer } from "../cluster/runner-layer.ts"
import { receiver } from "./receiver.ts"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-trace-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** `test/cluster/runner-process.ts` in a child process with `env`; killed when the scope closes. */
const spawnRunner = (port: number, storage: string, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      spawn(process.execPath, [join(import.meta.dirname, "../cluster/runner-process.ts"), String(port), storage], {
        env: { ...process.env, ...env }
      })
    ),
    (child) => Effect.sync(() => child.kill("SIGTERM"))
  ).pipe(
    Effect.flatMap((child) =>
      Effect.callback<(ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>>>((resume) => {
        const answers: Array<(line: string) => void> = []
        const holds = (ids: ReadonlyArray<string>) =>
          Effect.callback<ReadonlyArray<string>>((answer) => {
            answers.push((line) =>
              answer(
                Effect.succeed(
                  line
                    .slice("holds ".length)
                    .split(",")
                    .filter((id) => id !== "")
                )
              )
            )
            child.stdin.write(`holds ${ids.join(",")}\n`)
          })
        createInterface({ input: child.stdout }).on("line", (line) => {
          if (line === "ready") resume(Effect.succeed(holds))
          else if (line.startsWith("holds ")) answers.shift()?.(line)
        })
        child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk))
        child.on("exit", (code) => resume(Effect.die(new Error(`runner process exited early (${code})`))))
      }).pipe(
        Effect.timeoutOrElse({
          duration: "30 seconds",
          orElse: () => Effect.die(new Error("runner not ready in 30 s"))
        })
      )
    )
  )

describe("traces across cluster runners", () => {
  it.live(
    "an ask from runner a to an agent on runner b (another process) is one trace",
    () =>
      Effect.gen(function* () {
        const collector = yield* receiver()
        const storage = join(yield* tempDir, "cluster.sqlite")
        const sql = yield* Layer.build(ClusterStorage.layer(storage))
        const telemetry = layerOtlp({
          endpoint: collector.endpoint,
          serviceName: "mabeam-runner",
          serviceInstanceId: "runner-a",
          exportIntervalMillis: 60_000
        })
        const a = yield* startRunnerLayer(sql, Layer.merge(runnerLayer(yield* freePort), telemetry))
        const holds = yield* spawnRunner(yield* freePort, storage, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint })
        const ids = Array.from({ length: 32 }, (_, i) => `traced-${i}`)
        let onB: ReadonlyArray<string> = []
        yield* eventually(
          Effect.map(holds(ids), (held) => {
            onB = held.filter((id) => ownerOf([a.sharding], id) !== 0)
            return onB.length > 0
          }),
          "25 seconds"
        )
        const target = onB[0]!
        const counters = yield* Effect.provideContext(LoopbackCounter.client, a.context)
        const root = yield* Effect.gen(function* () {
          yield* counters(target).tell(Increment.make({ by: 2 }))
          assert.strictEqual(yield* counters(target).ask(Get.make({}), { timeout: "10 seconds" }), 2)
          return yield* Effect.currentSpan
        }).pipe(Effect.withSpan("client.request"), Effect.provideContext(a.context))
        yield* Effect.provideContext(
          Effect.flatMap(Effect.service(TelemetryFlush), (t) => t.flush),
          a.context
        )

        // b exports on its own schedule (its default interval, 2 s).
        const received = yield* collector.waitFor((r) =>
          r.spans.some((s) => s.traceId === root.traceId && s.resource["service.instance.id"] !== "runner-a")
        )
        const trace = received.spans.filter((s) => s.traceId === root.traceId)
        const instances = new Set(trace.map((s) => String(s.resource["service.instance.id"])))
        assert.isTrue(instances.has("runner-a"))
        const remote = [...instances].filter((id) => id !== "runner-a")
        assert.strictEqual(remote.length, 1, `one other runner in the trace: ${[...instances].join(", ")}`)
        assert.match(remote[0]!, /^mabeam-runner-127\.0\.0\.1:\d+-\d+$/)
        // b's spans hang under a's: each of b's root-most spans has its parent among a's spans.
        const ofA = new Set(trace.filter((s) => s.resource["service.instance.id"] === "runner-a").map((s) => s.spanId))
        const ofB = trace.filter((s) => s.resource["service.instance.id"] === remote[0])
        const idsOfB = new Set(ofB.map((s) => s.spanId))
        const entries = ofB.filter((s) => !idsOfB.has(s.parentSpanId))
        assert.isAbove(entries.length, 0)
        for (const span of entries)
          assert.isTrue(ofA.has(span.parentSpanId), `${span.name} on b is a child of a span on a`)
        assert.strictEqual(
          trace.find((s) => s.spanId === root.spanId)?.parentSpanId,
          "",
          "the request is the trace's root"
        )
        // b's background database polling is not exported as traces of its own.
        const polls = received.spans.filter(
          (s) => s.resource["service.instance.id"] === remote[0] && s.parentSpanId === ""
        )
        assert.deepStrictEqual(
          polls.filter((s) => /^(sqlite|sql\.transaction)$/.test(s.name)).map((s) => s.name),
          []
        )
      }),
    { timeout: 58_000 }
  )
})
