# Two commands do everything on a fresh Debian machine:
#   make run   - install what is missing, build, run graphs/quickstart.toml
#   make test  - install what is missing, build (warnings as errors), run the whole suite
PRESET ?= dev
JOBS ?= $(shell nproc)

.PHONY: setup build run test clean
setup:
	@tools/setup.sh

build: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	build/$(PRESET)/bin/graph-runner run graphs/quickstart.toml

test: PRESET = ci
test: build
	ctest --preset $(PRESET) -j $(JOBS)

clean:
	rm -rf build
