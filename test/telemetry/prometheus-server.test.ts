/**
 * A real Prometheus scrapes mabeam's `/metrics` and answers a query for a mabeam metric.
 *
 * Runs when `MABEAM_PROMETHEUS_URL` and `MABEAM_PROMETHEUS_TARGET_PORT` are set
 * (`.ci/prometheus.sh run -- npx vitest run test/telemetry` starts a throwaway Prometheus that
 * scrapes 127.0.0.1:<target port> every second, and sets them); otherwise it is skipped, loudly.
 * Loopback only. Waiting for the scrape polls Prometheus's HTTP API: the one kind of polling the
 * team allows (a loopback process test).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule, Schema } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Mabeam } from "../../src/runtime/index.ts"

const url = process.env["MABEAM_PROMETHEUS_URL"]
const targetPort = Number(process.env["MABEAM_PROMETHEUS_TARGET_PORT"] ?? "0")
const skipReason =
  url === undefined || targetPort <= 0
    ? "MABEAM_PROMETHEUS_URL / MABEAM_PROMETHEUS_TARGET_PORT are not set (run under .ci/prometheus.sh)"
    : undefined
if (skipReason !== undefined)
  console.warn(`test/telemetry/prometheus-server.test.ts: Prometheus test skipped: ${skipReason}`)

const QueryResponse = Schema.Struct({
  status: Schema.String,
  data: Schema.Struct({
    result: Schema.Array(
      Schema.Struct({
        metric: Schema.Record(Schema.String, Schema.String),
        value: Schema.Tuple([Schema.Number, Schema.String])
      })
    )
  })
})

const query = (promql: string) =>
  Effect.tryPromise(async () => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
    return Schema.decodeUnknownSync(QueryResponse)(await response.json())
  })

const Ping = Agent.message("Ping", {})
const Pinger = Agent.make({ name: "pinger", messages: Ping, initial: () => 0, handle: (n) => n + 1 })

describe.skipIf(skipReason !== undefined)(
  `a real Prometheus${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`,
  () => {
    it.live(
      "scrapes telemetry.prometheusPort and returns mabeam's messages-sent counter",
      () =>
        Effect.gen(function* () {
          const system = yield* AgentSystem
          const pinger = yield* system.spawn(Pinger, { id: "scraped" })
          for (let i = 0; i < 3; i++) yield* pinger.tell(Ping.make({}))
          const series = yield* query("mabeam_agent_messages_sent_total").pipe(
            Effect.map((r) => r.data.result),
            Effect.filterOrFail(
              (result) => result.length > 0,
              () => new Error("not scraped yet")
            ),
            Effect.retry(Schedule.spaced("500 millis").pipe(Schedule.upTo({ times: 60 })))
          )
          assert.strictEqual(series[0]!.metric["job"], "mabeam")
          assert.isAtLeast(Number(series[0]!.value[1]), 3)
        }).pipe(Effect.provide(Mabeam.layer({ env: {}, values: { telemetry: { prometheusPort: targetPort } } }))),
      60_000
    )
  }
)
