# The README's two commands: `make demo` (runs the product) and `make test` (runs every test).
.PHONY: deps build demo test test-postgres bench clean themes install uninstall install-service docs

deps:
	@scripts/ensure-system-packages.sh

build: deps
	swift build --product inbox

demo: build
	.build/debug/inbox demo

# Tests run the built `inbox` executable (process and tmux tests), so build everything first. One test at a time:
# many start servers, clients and terminals with deadlines, and on two cores a parallel run starves them into
# timeouts (the whole suite takes about 70 s this way).
test: deps
	swift build --build-tests
	swift test --skip-build --no-parallel
	scripts/schemathesis.sh
	scripts/check-test-leftovers.sh

bench: deps
	swift build -c release --product inbox-bench
	swift build -c release --product inbox
	.build/release/inbox-bench all

themes:
	sh scripts/bundle-themes.sh

clean:
	rm -rf .build

# Installing on a clinic's server. `make install` copies an existing build (BUILD_DIR, the release build by default;
# it builds one only when that is missing), the themes, the man pages and the shell completions from dist/.
PREFIX ?= /usr/local
DESTDIR ?=
BUILD_DIR ?= .build/release

install:
	@if [ ! -x "$(BUILD_DIR)/inbox" ] && [ "$(BUILD_DIR)" = ".build/release" ]; then swift build -c release --product inbox; fi
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" BUILD_DIR="$(BUILD_DIR)" sh scripts/install.sh install

uninstall:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" sh scripts/install.sh uninstall

# The systemd unit, the inbox system user and an example environment file (0600, kept if one exists).
install-service:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" sh scripts/install-service.sh

# Completions and man pages, generated from the argument parser; commit what changes.
docs:
	swift build --product inbox
	sh scripts/generate-docs.sh .build/debug/inbox

# The PostgreSQL adapter's suites, against a throw-away PostgreSQL (scripts/with-postgres.sh installs it if missing).
test-postgres: deps
	swift build --build-tests
	scripts/with-postgres.sh swift test --skip-build --no-parallel --filter Postgres
