# The two commands that matter: `make demo` and `make test`. The rest wrap the usual chores.
BUILD ?= build
JOBS ?= 2
DATA ?= var
LISTEN ?= 127.0.0.1:8080
CMAKE_FLAGS ?=

.PHONY: all deps web build release test test-asan demo bench bench-jobs bench-slurm bench-auth bench-ledger bench-web format format-check lint clean fuzz soak

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

# The web UI (web/, TypeScript + React, built by Vite into web/dist), which
# `qiusuo serve` serves at /.
web: deps
	cd web && npm run build --silent

build: deps web $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

release: deps web
	cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DQIUSUO_TESTS=OFF -DQIUSUO_BENCH=OFF
	cmake --build build-release -j $(JOBS) --target qiusuo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The C++ tests again, built with AddressSanitizer and UndefinedBehaviorSanitizer.
# The web UI's tests do not change with the build, and the shell end-to-end scripts
# (cli_e2e, crash_e2e) wait on real seconds that a sanitized debug build overruns;
# both run in `make test`.
ASAN_BUILD ?= build-asan
test-asan: deps web
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DQIUSUO_SANITIZE=ON -DQIUSUO_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -E '^web_|_e2e'

# The libFuzzer targets of fuzz/ (request path, trace reader, ledger export reader,
# #QIUSUO directives, config reader), built by clang with ASan and UBSan in their own
# build directory (only the libraries they need), each run FUZZ_SECONDS from its seed
# corpus in fuzz/corpus/. Prints runs, coverage and crashes per target; fails on a crash.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz: deps
	CC=clang-19 CXX=clang++-19 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DQIUSUO_FUZZ=ON -DQIUSUO_TESTS=OFF -DQIUSUO_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# A real server under mixed reads and writes (wrk), job churn and live log streams for
# SOAK_MINUTES; fails if its memory, open files or p99 latency grow, or a request fails.
SOAK_MINUTES ?= 30
soak: release
	@scripts/soak.sh build-release/src/cli/qiusuo $(SOAK_MINUTES)

demo: release
	@scripts/demo.sh build-release/src/cli/qiusuo $(DATA) $(LISTEN)

bench: build
	$(BUILD)/bench/sched_bench --benchmark_min_time=0.5
	@scripts/bench-http.sh $(BUILD)/src/cli/qiusuo

bench-jobs: build
	@scripts/bench-jobs.sh $(BUILD)/src/cli/qiusuo 10000

bench-auth: build
	@scripts/bench-auth.sh $(BUILD)/src/cli/qiusuo 15

bench-slurm: build
	@scripts/bench-slurm.sh $(BUILD)/src/cli/qiusuo 1000

bench-ledger: build
	@scripts/bench-ledger.sh $(BUILD) 1000000

bench-web: release
	cd web && node e2e/perf.mjs ../build-release/src/cli/qiusuo

CXX_SOURCES = find src tests bench -name '*.cc' -o -name '*.h'

format:
	$(CXX_SOURCES) | xargs clang-format -i

# What CI runs: fails, naming the places, where a file is not as `make format` leaves it.
format-check:
	$(CXX_SOURCES) | xargs clang-format --dry-run -Werror

lint: deps $(BUILD)/build.ninja
	find src -name '*.cc' -not -name '*_test.cc' | xargs -P $(JOBS) -n 4 clang-tidy-19 -p $(BUILD) --quiet --warnings-as-errors='*'

clean:
	rm -rf $(BUILD) build-release
