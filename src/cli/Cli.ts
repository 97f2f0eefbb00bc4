/**
 * The `mabeam` command line (effect/cli): `run`, `inspect`, `dashboard`, `bench`, `sim` and `runner`.
 *
 * `main(argv)` runs it and returns the process exit code: 0 on success, 2 for a wrong command line
 * or a feature that is not available, 1 when a scenario fails, the child's code for `bench`/`sim`.
 * Every output line goes through `Console`, so tests run the CLI in-process and read it.
 *
 * @since 0.1.0
 */
import { fileURLToPath } from "node:url"
import { Console, Effect, FileSystem, Option, Path } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { ChildProcess, ChildProcessSpawner } from "effect/process"
import { Snapshot } from "../dashboard/index.ts"
import { ChildFailed, DashboardUnreachable, InvalidOption, NotAvailable } from "./errors.ts"
import { withExitCode } from "./exitCode.ts"
import { VERSION } from "./version.ts"
import { runner } from "./runnerCommand.ts"
import { findScenario, runScenario } from "./runScenario.ts"
import { scenarios } from "./scenarios/index.ts"
import { DEFAULT_SEED, parseSeed, type Seed } from "./seed.ts"

/** The CLI's version (the package's). */
export { VERSION }

/**
 * The project root: where `bench/` and `test/sim/` live.
 *
 * @since 0.1.0
 * @category utils
 */
export const projectRoot = fileURLToPath(new URL("../../", import.meta.url))

const scenarioList = [...scenarios.values()].map((s) => `${s.name}: ${s.description}`).join("; ")

const seedFlag = Flag.String("seed").pipe(
  Flag.withDescription(
    `seed of the run's Random, any string or number (default "${DEFAULT_SEED}"): the same seed replays the same run`
  ),
  Flag.withDefault(String(DEFAULT_SEED))
)

/** The `--seed` value as a seed, or `InvalidOption` when it is blank. */
const readSeed = (raw: string): Effect.Effect<Seed, InvalidOption> => {
  const seed = parseSeed(raw)
  return seed === undefined
    ? Effect.fail(
        new InvalidOption({
          option: "--seed",
          value: raw,
          expected: "a non-blank string or a number, e.g. mabeam or 7"
        })
      )
    : Effect.succeed(seed)
}
const agentCount = Flag.Int("agents").pipe(
  Flag.withDescription("how many agents the scenario runs (default: the scenario's own)"),
  Flag.optional
)
const rounds = (fallback: number) =>
  Flag.Int("rounds").pipe(Flag.withDescription(`rounds of work (default ${fallback})`), Flag.withDefault(fallback))
const pace = (fallback: number) =>
  Flag.Int("pace").pipe(
    Flag.withDescription(`milliseconds of simulated work per message, to watch it live (default ${fallback})`),
    Flag.withDefault(fallback)
  )
const otlp = Flag.String("otlp").pipe(
  Flag.withDescription("export traces, metrics and logs to this OTLP/HTTP endpoint, e.g. http://127.0.0.1:4318"),
  Flag.optional
)
const port = (fallback: number) =>
  Flag.Int("port").pipe(
    Flag.withDescription(`dashboard port on 127.0.0.1 (0 = any free port; default ${fallback})`),
    Flag.withDefault(fallback)
  )
const scenarioArgument = Argument.String("scenario").pipe(Argument.withDescription(`one of: ${scenarioList}`))

const run = Command.make(
  "run",
  {
    scenario: scenarioArgument,
    seed: seedFlag,
    agents: agentCount,
    rounds: rounds(1),
    pace: Flag.Int("pace").pipe(
      Flag.withDescription("milliseconds of simulated work per message (default 0, or 200 with --dashboard)"),
      Flag.optional
    ),
    otlp,
    dashboard: Flag.Boolean("dashboard").pipe(
      Flag.withDescription("serve the live dashboard while it runs, and keep serving until Ctrl+C"),
      Flag.withDefault(false)
    ),
    port: port(7777)
  },
  (input) =>
    Effect.flatMap(Effect.all([findScenario(input.scenario), readSeed(input.seed)]), ([scenario, seed]) =>
      runScenario(scenario, {
        seed,
        agents: Option.getOrUndefined(input.agents),
        rounds: input.rounds,
        paceMillis: Option.getOrElse(input.pace, () => (input.dashboard ? 200 : 0)),
        otlp: Option.getOrUndefined(input.otlp),
        dashboardPort: input.dashboard ? input.port : undefined,
        hold: true
      })
    )
).pipe(
  Command.withDescription("Run a scenario and print what happened."),
  Command.withExamples([
    { command: "mabeam run agents --seed 7", description: "the supervised team, replayable with seed 7" },
    { command: "mabeam run auction --agents 6", description: "six bidders in two auctions" },
    {
      command: "mabeam run chaos --seed 42",
      description: "Raft, a lock and an election under seeded faults; same seed, same report"
    },
    {
      command: "mabeam run chaos --seed 1 --rounds 100",
      description: "seeds 1 to 100, one line each; exits 1 at a broken invariant"
    },
    { command: "mabeam run agents --rounds 50 --dashboard", description: "watch it on http://127.0.0.1:7777/" },
    {
      command: "mabeam run coordination --rounds 500 --dashboard",
      description: "an elected leader, a fenced lock and leader crashes on the Coordination panel"
    }
  ])
)

/** Reads one snapshot from a running dashboard (`/snapshot`) and prints it. */
const inspectRemote = (base: string) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(new URL("/snapshot", base))
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const body: unknown = await response.json()
      if (typeof body !== "object" || body === null || !("supervisors" in body) || !Array.isArray(body.supervisors)) {
        throw new Error("the answer is not a mabeam snapshot")
      }
      return body as Snapshot.Snapshot
    },
    catch: (error) =>
      new DashboardUnreachable({ url: base, reason: error instanceof Error ? error.message : String(error) })
  }).pipe(Effect.flatMap((snapshot) => Console.log(Snapshot.format(snapshot))))

const inspect = Command.make(
  "inspect",
  {
    scenario: scenarioArgument.pipe(Argument.withDefault("agents")),
    seed: seedFlag,
    agents: agentCount,
    rounds: rounds(1),
    url: Flag.String("url").pipe(
      Flag.withDescription("read the live state of a running dashboard instead, e.g. http://127.0.0.1:7777/"),
      Flag.optional
    )
  },
  (input) =>
    Effect.gen(function* () {
      if (Option.isSome(input.url)) {
        const url = input.url.value
        if (!URL.canParse(url)) {
          return yield* new InvalidOption({
            option: "--url",
            value: url,
            expected: "a URL like http://127.0.0.1:7777/"
          })
        }
        return yield* inspectRemote(url)
      }
      yield* runScenario(yield* findScenario(input.scenario), {
        seed: yield* readSeed(input.seed),
        agents: Option.getOrUndefined(input.agents),
        rounds: input.rounds,
        paceMillis: 0,
        inspect: true
      })
    })
).pipe(
  Command.withDescription(
    "Print a scenario's supervision tree, registry entries, ledger balances, auctions, coordination state (leaders, terms, locks) " +
      "and facts: as they are when it ends, " +
      "or live from a running dashboard with --url."
  ),
  Command.withExamples([
    { command: "mabeam inspect auction", description: "run the auction scenario, then print its state" },
    {
      command: "mabeam inspect coordination",
      description: "the election, propose group, locks and participants at the end"
    },
    {
      command: "mabeam inspect --url http://127.0.0.1:7777/",
      description: "the state of a scenario running with --dashboard (open auctions too)"
    }
  ])
)

const dashboard = Command.make(
  "dashboard",
  {
    scenario: scenarioArgument.pipe(Argument.withDefault("agents")),
    seed: seedFlag,
    agents: agentCount,
    rounds: rounds(1_000),
    pace: pace(200),
    port: port(7777)
  },
  (input) =>
    Effect.flatMap(Effect.all([findScenario(input.scenario), readSeed(input.seed)]), ([scenario, seed]) =>
      runScenario(scenario, {
        seed,
        agents: Option.getOrUndefined(input.agents),
        rounds: input.rounds,
        paceMillis: input.pace,
        dashboardPort: input.port,
        hold: true
      })
    )
).pipe(
  Command.withDescription("Serve the live dashboard on 127.0.0.1 while a scenario runs (default: agents, 1000 rounds).")
)

/** Runs `node <args>` in the project root with the terminal attached; fails with its exit code. */
const node = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const spawner = yield* ChildProcessSpawner.ChildProcessSpawner
    const command = ChildProcess.make(process.execPath, [...args], {
      cwd: projectRoot,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit"
    })
    const code = Number(yield* spawner.exitCode(command))
    if (code !== 0) return yield* new ChildFailed({ command: `node ${args.join(" ")}`, code })
  })

const bench = Command.make(
  "bench",
  {
    filter: Flag.String("filter").pipe(
      Flag.withDescription("run only the benchmarks whose name contains this text"),
      Flag.optional
    )
  },
  (input) =>
    node([
      "--expose-gc",
      "bench/run.ts",
      ...Option.match(input.filter, { onNone: () => [], onSome: (filter) => ["--filter", filter] })
    ])
).pipe(Command.withDescription("Run the benchmarks (node --expose-gc bench/run.ts) and print their table."))

const SIM_RUNNER = "test/sim/run.ts"

const sim = Command.make(
  "sim",
  {
    protocol: Argument.String("protocol").pipe(
      Argument.withDescription(
        "the simulated protocol: raft, lock, barrier, election, counter, voting, pbft, …, or all (every one: minutes); without it, the list"
      ),
      Argument.optional
    ),
    protocolFlag: Flag.String("protocol").pipe(
      Flag.withDescription("the same as the argument: mabeam sim --protocol raft"),
      Flag.optional
    ),
    seeds: Flag.Int("seeds").pipe(
      Flag.withDescription("how many seeds to run (default 1000)"),
      Flag.withDefault(1_000)
    ),
    from: Flag.Int("from").pipe(Flag.withDescription("first seed (default 1)"), Flag.withDefault(1)),
    seed: Flag.Int("seed").pipe(Flag.withDescription("replay this one seed and print its trace"), Flag.optional)
  },
  (input) =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const available = yield* fs.exists(path.join(projectRoot, SIM_RUNNER)).pipe(Effect.orElseSucceed(() => false))
      if (!available) {
        return yield* new NotAvailable({
          command: "sim",
          hint: `the simulator's runner (${SIM_RUNNER}) is not in this installation; run it from a mabeam checkout`
        })
      }
      if (input.seeds < 1)
        return yield* new InvalidOption({ option: "--seeds", value: String(input.seeds), expected: "at least 1" })
      if (
        Option.isSome(input.protocolFlag) &&
        Option.isSome(input.protocol) &&
        input.protocol.value !== input.protocolFlag.value
      ) {
        return yield* new InvalidOption({
          option: "--protocol",
          value: input.protocolFlag.value,
          expected: `the same protocol as the argument "${input.protocol.value}" (give only one of them)`
        })
      }
      // The runner knows the protocols: without one, or with one it does not know, it lists them and exits 2.
      const protocol = Option.orElse(input.protocolFlag, () => input.protocol)
      yield* node([
        SIM_RUNNER,
        ...Option.toArray(protocol),
        ...Option.match(input.seed, {
          onNone: () => ["--seeds", String(input.seeds), "--from", String(input.from)],
          onSome: (one) => ["--seed", String(one)]
        })
      ])
    })
).pipe(
  Command.withDescription(
    "Run a protocol under the seeded fault simulator over many seeds, or replay one seed; without a protocol, list them."
  ),
  Command.withExamples([
    { command: "mabeam sim --protocol raft --seeds 1000", description: "Raft under faults with seeds 1 to 1000" },
    { command: "mabeam sim raft --seed 1234", description: "replay seed 1234 and print its trace" },
    {
      command: "mabeam sim all --seeds 100",
      description: "every protocol, 100 seeds each, with progress and the time left"
    }
  ])
)

/**
 * The root command.
 *
 * @since 0.1.0
 * @category utils
 */
export const command = Command.make("mabeam").pipe(
  Command.withDescription(
    "mabeam: multi-agent coordination runtime on Effect. Run scenarios, watch them live, benchmark."
  ),
  Command.withSubcommands([run, inspect, dashboard, bench, sim, runner])
)

/**
 * Runs the CLI with `argv` (without `node` and the script); fails like the command does.
 *
 * @since 0.1.0
 * @category utils
 */
export const cli = Command.runWith(command, { version: VERSION })

/**
 * Runs the CLI and returns the exit code instead of failing (see `withExitCode`).
 *
 * @since 0.1.0
 * @category utils
 */
export const main = (argv: ReadonlyArray<string>) => withExitCode(cli(argv))
