# The two commands that matter: `make demo` and `make test`. The rest wrap the usual chores.
BUILD ?= build
JOBS ?= 2
DATA ?= var
LISTEN ?= 127.0.0.1:8080
CMAKE_FLAGS ?=

.PHONY: all deps web build release test demo bench bench-jobs bench-ledger bench-web format lint clean

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

demo: release
	@scripts/demo.sh build-release/src/cli/qiusuo $(DATA) $(LISTEN)

bench: build
	$(BUILD)/bench/sched_bench --benchmark_min_time=0.5
	@scripts/bench-http.sh $(BUILD)/src/cli/qiusuo

bench-jobs: build
	@scripts/bench-jobs.sh $(BUILD)/src/cli/qiusuo 10000

bench-ledger: build
	@scripts/bench-ledger.sh $(BUILD) 1000000

bench-web: release
	cd web && node e2e/perf.mjs ../build-release/src/cli/qiusuo

format:
	find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

lint: deps $(BUILD)/build.ninja
	find src -name '*.cc' -not -name '*_test.cc' | xargs -P $(JOBS) -n 4 clang-tidy-19 -p $(BUILD) --quiet --warnings-as-errors='*'

clean:
	rm -rf $(BUILD) build-release
