# The two quick-start commands live here: `make run` and `make test`.
# CMake does the building; this file only orders the steps.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps deps-web build asan run test test-unit test-asan test-web check-style bench simulate clean

all: build

deps:
	@scripts/install-deps

deps-web:
	@scripts/install-deps web

$(BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(ASAN_BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTALLY_SANITIZE=ON >/dev/null

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	scripts/run-demo $(BUILD)/bin $(LISTEN)

check-style:
	scripts/check-banned

test-unit: build check-style
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# The console in Debian's headless Chromium against a real tallyd.
test-web: build deps-web
	cd tests/web && TALLY_BIN_DIR=$(abspath $(BUILD))/bin npm test

test: test-unit test-asan test-web

# One seed of the lifecycle simulation for longer: make simulate SEED=7 STEPS=2000
SEED  ?= 1
STEPS ?= 1000
simulate: build
	SIM_SEEDS=$(SEED) SIM_STEPS=$(STEPS) $(BUILD)/tests/sim_test_sim --jobs 1

bench: build
	bench/run

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
