#!/usr/bin/env bash
# The one test command: ./test.sh
#
# Installs the servers the integration tests need (mosquitto, rabbitmq-server, influxdb; apt, only
# when missing), restores, builds (Release) and tests the whole solution. The integration tests
# start their own servers on free loopback ports under a temporary folder (RealServers fixture);
# nothing needs to run beforehand. Results: one .trx per test assembly in TestResults/ (or
# $MON_TEST_RESULTS). The last line "tests: N passed, N failed, N skipped" is what CI reads.
# Exit code: 0 when the build succeeded, no test failed and no benchmark allocates beyond its baseline.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd)
RESULTS=$(realpath -m -- "${MON_TEST_RESULTS:-$ROOT/TestResults}")

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild or compiler server may outlive the run (CI waits for every child to exit).
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false

step() { printf '\n=== %s ===\n' "$*"; }

# The fixture puts each run's servers in a folder under this root; whatever a crashed or killed
# test host left running there is stopped on the way out.
MON_TEST_WORK_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/monitoring-test.XXXXXX")
export MON_TEST_WORK_ROOT

cleanup() {
  local work
  for work in "$MON_TEST_WORK_ROOT"/*/; do
    [[ -d $work ]] || continue
    MON_WORK=$work "$ROOT/deploy/local/servers.sh" stop all >/dev/null 2>&1 || true
  done
  rm -rf -- "$MON_TEST_WORK_ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "servers"
deploy/local/servers.sh install

step "dotnet"
if ! command -v dotnet >/dev/null 2>&1; then
  if [[ -x $HOME/.dotnet/dotnet ]]; then
    export PATH="$HOME/.dotnet:$PATH"
  else
    echo "dotnet not found: install the .NET SDK named in global.json" >&2
    exit 1
  fi
fi
dotnet --version

step "restore"
dotnet restore Monitoring.sln

step "build"
if ! dotnet build Monitoring.sln -c Release --no-restore; then
  echo "build failed: no tests ran" >&2
  exit 1
fi

step "format"
# Code style is part of the build's contract (STYLE.md): a formatting drift fails the run.
if ! dotnet format Monitoring.sln --verify-no-changes --no-restore; then
  echo "dotnet format found unformatted code: run 'dotnet format Monitoring.sln' and commit" >&2
  exit 1
fi

step "test"
rm -rf -- "$RESULTS"
mkdir -p -- "$RESULTS"
set +e
# LogFilePrefix gives each assembly its own file (prefix_<framework>_<timestamp>).
dotnet test Monitoring.sln -c Release --no-build \
  --results-directory "$RESULTS" \
  --logger "trx;LogFilePrefix=tests" \
  --logger "console;verbosity=normal" \
  --blame-hang-timeout 10m --blame-hang-dump-type mini
test_exit=$?
set -e

passed=0 failed=0 skipped=0
shopt -s nullglob
trx_files=("$RESULTS"/*.trx)
for trx in "${trx_files[@]}"; do
  while read -r outcome; do
    case $outcome in
      Passed) passed=$((passed + 1)) ;;
      NotExecuted | Inconclusive) skipped=$((skipped + 1)) ;;
      *) failed=$((failed + 1)) ;;
    esac
  done < <(grep -o '<UnitTestResult [^>]*' "$trx" | grep -o ' outcome="[A-Za-z]*"' | cut -d'"' -f2)
done

if ((test_exit != 0 && failed == 0)); then
  # A test host that crashed or hung leaves no failed result behind; the run still failed.
  echo "dotnet test exited with $test_exit without a failed test result (crashed or hung test host): counted as 1 failure" >&2
  failed=1
fi

step "allocation baselines"
# A hot-path benchmark that allocates more than loadtests/Monitoring.Benchmarks/allocation-baselines.json
# allows fails the run (fast in-process BenchmarkDotNet job, about 30 s).
allocations_ok=1
if ! dotnet run -c Release --no-build --project loadtests/Monitoring.Benchmarks -- --check-allocations; then
  echo "allocation baselines: FAILED (benchmarks named above allocate more than their baseline, or have none)" >&2
  allocations_ok=0
fi

step "summary"
printf 'trx files: %d in %s\n' "${#trx_files[@]}" "$RESULTS"
((allocations_ok)) || echo "allocation baselines: failed"
printf 'tests: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
((failed == 0 && allocations_ok))
