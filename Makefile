# The two quick-start commands live here: `make run` and `make test`.
# CMake does the building; this file only orders the steps.

BUILD      ?= build
ASAN_BUILD ?= build-asan
# The libFuzzer harnesses need clang; their own build keeps gcc's untouched.
FUZZ_BUILD ?= build-fuzz
FUZZ_CC    ?= clang-14
FUZZ_SECONDS ?= 60
# make test's short run of each harness (8 of them: about a minute in all)
FUZZ_TEST_SECONDS ?= 5
JOBS       ?= $(shell nproc)
LISTEN     ?= 127.0.0.1:8080
# make install: where (PREFIX, compiled into tallyd for its default paths)
# and a staging root for packagers (DESTDIR). README "Install on a server".
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all deps deps-web build install asan fuzz-build fuzz run test test-unit test-asan test-fuzz \
	test-web check-style bench simulate clean deps-lint test-lint

all: build

deps:
	@scripts/install-deps

deps-web:
	@scripts/install-deps web

deps-lint:
	@scripts/install-deps lint

$(BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(ASAN_BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTALLY_SANITIZE=ON >/dev/null

$(FUZZ_BUILD)/Makefile: CMakeLists.txt | deps
	CC=$(FUZZ_CC) cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTALLY_FUZZ=ON >/dev/null

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# Configures the build for PREFIX first: tallyd's default configuration
# file and data directory are compiled in (only tallyd.c recompiles).
install: deps $(BUILD)/Makefile
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target tallyd tally
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

fuzz-build: deps $(FUZZ_BUILD)/Makefile
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Each harness for FUZZ_SECONDS (make fuzz FUZZ_SECONDS=600), after its
# saved crash inputs; docs/TESTING.md.
fuzz: fuzz-build
	scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

run: build
	scripts/run-demo $(BUILD)/bin $(LISTEN)

check-style:
	scripts/check-banned

test-unit: build check-style
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The simulation runs one seed here: ASan looks for memory errors on the
# paths the seed takes, the normal build checks the model on three.
test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SIM_SEEDS=1 \
	  ctest --output-on-failure -j $(JOBS)

# Every saved crash input, then each harness for a few seconds: fails when
# a fuzzer finds a crash.
test-fuzz: fuzz-build
	scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_TEST_SECONDS)

# The console in Debian's headless Chromium against a real tallyd.
test-web: build deps-web
	cd tests/web && TALLY_BIN_DIR=$(abspath $(BUILD))/bin npm test

# docs/openapi.yaml through a real OpenAPI linter (Redocly) and against the
# route table; deploy/prometheus's alert rules through promtool (check and
# unit tests).
test-lint: deps deps-lint
	scripts/check-openapi
	scripts/lint-openapi
	scripts/check-monitoring

test: test-unit test-asan test-fuzz test-web test-lint

# One seed of the lifecycle simulation for longer: make simulate SEED=7 STEPS=2000
SEED  ?= 1
STEPS ?= 1000
simulate: build
	SIM_SEEDS=$(SEED) SIM_STEPS=$(STEPS) $(BUILD)/tests/sim_test_sim --jobs 1

bench: build
	bench/run

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
