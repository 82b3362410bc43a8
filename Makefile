# cdpcore front door: `make demo` and `make test` work on a bare Debian 12 machine.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
BUILD := $(CURDIR)/build/cmake
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
export CDP_CMAKE_BUILD_DIR := $(BUILD)

.PHONY: all bootstrap build python test demo bench clean

all: build

bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	@if [ ! -f $(BUILD)/CMakeCache.txt ]; then \
	  cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=$(PY); fi
	cmake --build $(BUILD) -j $(JOBS)

python: build
	$(PY) -m pip install --no-build-isolation --no-deps -q .

test: python
	ctest --test-dir $(BUILD) --output-on-failure
	$(PY) -m pytest -q tests/python

demo: python
	$(PY) examples/demo.py

bench: python
	$(PY) bench/run.py

clean:
	rm -rf build demo-output python/cdpcore.egg-info python/cdpcore/_core*.so
