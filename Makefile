# Two commands do everything on a fresh Debian machine:
#   make run   - install what is missing, build the program and its plugins (not the tests),
#                run graphs/quickstart.toml
#   make test  - install what is missing, build (warnings as errors), run the whole suite
#   make bench - build Release (preset release) and run the benchmark suite (tools/bench)
#   make test-asan - the sanitizer build (preset asan) and its test subset; part of `make test`
#   make fuzz  - libFuzzer targets (preset fuzz, clang), FUZZ_SECONDS (default 60) each
#   make soak  - tools/soak.toml for SOAK_SECONDS (default 600): flat RSS and fds, exact accounting;
#                then SOAK_GRAPHS (default 3000) random graphs checked record by record (tests/property),
#                then Redis Streams scale-out with 1 M entries and one process vs two (tools/soak_redis.sh),
#                then SOAK_OWNERSHIP_SEEDS (default 2000) seeds of the differential ownership test
#   make package - the Debian package (preset package, CPack): build/package/graph-runner_*.deb
#   make docs  - regenerate the plugin reference of docs/graph-language.md from the plugins' schemas
PRESET ?= dev
JOBS ?= $(shell nproc)

.PHONY: setup build build-program run package test test-asan fuzz soak bench docs clean
setup:
	@tools/setup.sh

build: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

# graph-runner alone: its target depends on every plugin, and nothing of the test suite,
# fuzz replays or benchmarks, which are most of a full build.
build-program: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target graph-runner

run: build-program
	build/$(PRESET)/bin/graph-runner run graphs/quickstart.toml

# Configure (Release, prefix /usr, no tests), build, and CPack's DEB generator: the workflow
# preset `package` (cmake --workflow --preset package does the same without make).
package: setup
	CMAKE_BUILD_PARALLEL_LEVEL=$(JOBS) cmake --workflow --preset package
	@ls build/package/*.deb

test: PRESET = ci
test: build
	@tools/setup.sh test
	ctest --preset $(PRESET) -j $(JOBS)
	@$(MAKE) --no-print-directory test-asan

# AddressSanitizer + UBSan + LeakSanitizer (Debug). The sanitizer options live in the asan
# test preset. ASAN_EXCLUDE leaves out the tests that only build other projects with the
# system compiler (install, docs, scaffold): slow, and nothing there for a sanitizer to see;
# and the one test of retry waits suspending their task, which sanitizer builds replace by a
# blocking wait (ASan cannot follow oneTBB's stack switch; docs/reliability.md); and the test
# whose point is a bound on RSS under load, which ASan's quarantine of freed memory (256 MiB)
# measures instead of ours. The ABI check (abi.sdk) stays: the Debug + ASan build of the SDK
# library has the ABI of the Release baseline, and the check takes seconds.
ASAN_EXCLUDE ?= ^(install|docs|scaffold)\.|holds no worker|rss_backpressure
test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) -E '$(ASAN_EXCLUDE)'

fuzz:
	tools/fuzz.sh

SOAK_GRAPHS ?= 3000
SOAK_GRAPH_SEED ?= 100000
SOAK_OWNERSHIP_SEEDS ?= 2000
soak: PRESET = release
soak: build
	GRAPH_RUNNER=build/$(PRESET)/bin/graph-runner tools/soak.sh
	tests/property/random_graphs.py --graph-runner build/$(PRESET)/bin/graph-runner \
	  --count $(SOAK_GRAPHS) --seed $(SOAK_GRAPH_SEED) --jobs $(JOBS) --work build/$(PRESET)/random-graphs
	GRAPH_RUNNER=build/$(PRESET)/bin/graph-runner tools/soak_redis.sh
	OWNERSHIP_DIFF_SEEDS=$(SOAK_OWNERSHIP_SEEDS) OWNERSHIP_DIFF_FIRST_SEED=100000 build/$(PRESET)/bin/ownership_tests

bench:
	tools/bench/run.sh

docs: build-program
	tools/gen_plugin_docs.py --graph-runner build/$(PRESET)/bin/graph-runner docs/graph-language.md

clean:
	rm -rf build
