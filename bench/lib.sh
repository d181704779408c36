# Shared by the job benchmarks (bench/reconcile, bench/sweeps); sourced,
# not run. Expects $work (a scratch directory) and $port to be set.
# The databases are seeded with the sqlite3 shell straight into the tables
# tallyd writes (loading millions of rows through HTTP would take longer
# than the benchmark); each script then checks what tallyd made of them.

export TALLY_ADMIN_TOKEN=bench-admin-token
url=http://127.0.0.1:$port
auth=(-H "Authorization: Bearer $TALLY_ADMIN_TOKEN" -H 'Content-Type: application/json')

need() { command -v "$1" >/dev/null || apt-get install -y -qq "$2" >/dev/null; }
need sqlite3 sqlite3
need curl curl
need /usr/bin/time time # bench/sweeps: the baseline's CPU time
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ns() { date +%s%N; }
fail() { echo "$*" >&2; exit 1; }

# tallyd on database $1 with the test clock (standing at the real time
# until the script moves it, so nothing seeded for 2027 is due before).
# BENCH_TALLYD: another tallyd binary (say, a build from before a change,
# to compare the two on the same seeded data); build/bin/tallyd by default.
start_tallyd() {
  "${BENCH_TALLYD:-build/bin/tallyd}" --listen 127.0.0.1:$port --db "$1" --no-access-log --test-clock \
    2>>"$work/log" &
  tallyd_pid=$!
  for _ in $(seq 100); do curl -fs $url/healthz >/dev/null && break; sleep 0.1; done
  curl -fs $url/healthz >/dev/null || fail "tallyd did not start"
  # BENCH_PERF=file: a call-graph profile of each tallyd run, in file.1,
  # file.2, ... in the order they ran
  if [ -n "${BENCH_PERF:-}" ]; then
    perf_runs=$((${perf_runs:-0} + 1))
    perf record --call-graph dwarf,16384 -F 499 -o "$BENCH_PERF.$perf_runs" -p $tallyd_pid 2>>"$work/log" >&2 &
    perf_pid=$!
  fi
}
stop_tallyd() {
  kill -TERM $tallyd_pid; wait $tallyd_pid || true
  # perf ends with the process it follows
  [ -z "${perf_pid:-}" ] || { wait $perf_pid || true; perf_pid=; }
}
# Peak resident memory of tallyd so far, in MiB (the kernel's VmHWM).
peak_rss_mib() { awk '/^VmHWM/ {print int($2 / 1024)}' /proc/$tallyd_pid/status; }
# CPU time (user + system) tallyd has used so far, in ms: on a machine
# shared with other work, a steadier figure than the wall clock.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' \
  /proc/$tallyd_pid/stat; }

# An empty database with tallyd's current schema, and nothing else.
make_schema() {
  rm -f "$1"*
  BENCH_PERF= start_tallyd "$1" # not worth a profile
  stop_tallyd
}

post() { curl -fsS -XPOST "${auth[@]}" -d "$2" "$url$1"; }

# Moves the test clock to $1 (which runs one pass of every due job), then
# runs passes until one finds none of the counters named in $2.. above 0:
# the ticker also runs passes meanwhile; all of them share the one writer.
run_jobs_at() {
  local now=$1; shift
  local answer; answer=$(post /v1/admin/clock "{\"now\":\"$now\"}")
  while :; do
    local busy=0 field
    for field in "$@"; do
      case $answer in *"\"$field\":0,"* | *"\"$field\":0}"*) ;; *) busy=1 ;; esac
    done
    # BENCH_TRACE=file: each pass's end (ns) and report, to see the passes
    [ -z "${BENCH_TRACE:-}" ] || echo "$(now_ns) $answer" >> "$BENCH_TRACE"
    [ $busy = 0 ] && return
    answer=$(post /v1/admin/jobs/run '{}')
  done
}

ledger_ok() {
  local check; check=$(curl -fsS "${auth[@]}" $url/v1/ledger/check)
  case $check in *'"ok":true'*) ;; *) fail "ledger check failed: $check" ;; esac
}
