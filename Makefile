# The README's two commands: `make demo` (runs the product) and `make test` (runs every test).
.PHONY: deps build demo test test-postgres bench bench-postgres clean themes install uninstall install-service docs

deps:
	@scripts/ensure-system-packages.sh

build: deps
	swift build --product inbox

demo: build
	.build/debug/inbox demo

# Tests run the built `inbox` executable (process and tmux tests), so build everything first. One test at a time:
# many start servers, clients and terminals with deadlines, and on two cores a parallel run starves them into
# timeouts. Beside a throw-away PostgreSQL (scripts/with-postgres.sh, which installs it when missing): the whole suite
# on SQLite with the PostgreSQL and scale-out suites, then every suite that talks to a server through TestServer again,
# on PostgreSQL, so both storage adapters answer alike.
POSTGRES_SUITES := CommandTests|TeamCommandTests|SyncTests|TemplateTests|WebhookTests|MetaWebhookTests|WahaWebhookTests
POSTGRES_SUITES := $(POSTGRES_SUITES)|WahaSecurityTests|MediaTests|MediaContentTests|ConformanceTests|AIHookTests|GupshupTests
POSTGRES_SUITES := $(POSTGRES_SUITES)|ColleagueSyncTests|AgentLifecycleTests|DeliveryResilienceTests|MirrorIntegrityTests
POSTGRES_SUITES := $(POSTGRES_SUITES)|NulTextTests|APIContractTests|MetricsTests|ServerLimitsTests
POSTGRES_SUITES := $(POSTGRES_SUITES)|AppointmentReminderTests|MarketingThrottleServerTests|NumberBotTests|InteractiveMenuTests
POSTGRES_SUITES := $(POSTGRES_SUITES)|PresenceTests|SnoozeTests|ProfileTests|TeamNotesTests

test: deps
	swift build --build-tests
	scripts/with-postgres.sh sh -c 'swift test --skip-build --no-parallel && \
		INBOX_TEST_DATABASE=postgres swift test --skip-build --no-parallel --filter "$(POSTGRES_SUITES)"'
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
	scripts/with-postgres.sh sh -c 'swift test --skip-build --no-parallel --filter "Postgres|ScaleOut" && \
		INBOX_TEST_DATABASE=postgres swift test --skip-build --no-parallel --filter "$(POSTGRES_SUITES)"'

bench-postgres: deps
	swift build -c release --product inbox-bench
	INBOX_PG_DURABLE=1 scripts/with-postgres.sh sh -c '.build/release/inbox-bench meta-ingest --postgres "$$INBOX_TEST_POSTGRES_URL" --instances 2 && \
		.build/release/inbox-bench push-latency --postgres "$$INBOX_TEST_POSTGRES_URL" --clients 1,100 --pollers process'

