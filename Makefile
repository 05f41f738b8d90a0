# The commands a newcomer uses; Meson and Ninja do the building.
BUILD ?= build
ASAN_BUILD ?= build-asan
PREFIX ?= /usr/local
MESON ?= meson

SOURCES = $(shell find src include tests bench -name '*.[ch]' 2>/dev/null)

.PHONY: all deps build demo check stress bench fuzz install format lint clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --prefix=$(PREFIX)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Tests run in a separate AddressSanitizer + UndefinedBehaviorSanitizer build.
$(ASAN_BUILD)/build.ninja:
	$(MESON) setup $(ASAN_BUILD) -Dbuildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false

check: build $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	@status=0; $(MESON) test -C $(ASAN_BUILD) --print-errorlogs || status=$$?; \
	python3 scripts/test-summary.py $(ASAN_BUILD)/meson-logs/testlog.json; exit $$status

# Several importers, a sync, a search, a verify and a purger at once on one
# library for STRESS_SECONDS (default 30); `make check` runs 10 s of it.
STRESS_SECONDS ?= 30
stress: build $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	@VRP=$(abspath $(ASAN_BUILD))/src/cli/vrp STRESS_SECONDS=$(STRESS_SECONDS) \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
		sh tests/integration/test_stress.sh

demo: build
	@VRP=$(BUILD)/src/cli/vrp ./scripts/demo.sh

# libFuzzer targets (fuzz/) built with clang; FUZZ_SECONDS each (default 60).
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=build-fuzz ./scripts/fuzz.sh

bench: build
	@INSTALL_BENCH=1 ./scripts/install-deps.sh
	@VRP=$(BUILD)/src/cli/vrp ./bench/run.sh

# PREFIX applies to an existing build too (`make install PREFIX=~/.local` after `make`).
install: build
	$(MESON) configure $(BUILD) -Dprefix=$(abspath $(patsubst ~%,$(HOME)%,$(PREFIX)))
	$(MESON) install -C $(BUILD)

format:
	@INSTALL_LINT=1 ./scripts/install-deps.sh
	clang-format -i $(SOURCES)

lint: build
	@INSTALL_LINT=1 ./scripts/install-deps.sh
	clang-format --dry-run --Werror $(SOURCES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr --suppressions-list=.cppcheck-suppressions \
		--std=c11 -D_GNU_SOURCE -Iinclude -Isrc/lib -I$(BUILD)/include src
	clang-tidy --quiet -p $(BUILD) $(filter src/%.c,$(SOURCES))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
