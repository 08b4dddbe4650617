# Arca - top-level commands. `make run` and `make test` are all a new user needs.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DATA ?= ./data

.PHONY: all build run test unit e2e check format deps clean bench fuzz

all: build

deps:
	@scripts/deps.sh build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/arca serve --listen $(LISTEN) --data $(DATA)

test:
	@scripts/deps.sh test
	@scripts/test-deps.sh
	@$(MAKE) --no-print-directory build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -L unit -j$(JOBS)

e2e: build
	ctest --test-dir $(BUILD) --output-on-failure -L e2e -j$(JOBS)

# Style, banned functions, static analysis, then unit tests under ASan/UBSan.
check:
	@scripts/deps.sh check
	scripts/check.sh
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DARCA_SANITIZE=ON -DARCA_E2E=OFF >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -L unit -j$(JOBS)

# libFuzzer targets from tests/fuzz, each over its seed corpus for a bounded number of runs.
fuzz:
	@scripts/deps.sh check
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DARCA_FUZZ=ON -DARCA_E2E=OFF >/dev/null
	cmake --build build-fuzz -j$(JOBS)
	ctest --test-dir build-fuzz --output-on-failure -L fuzz -j$(JOBS)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h')

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory build
	bench/run-all.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
