# The README's two commands: `make demo` (runs the product) and `make test` (runs every test).
.PHONY: deps build demo test bench clean themes

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
	scripts/check-test-leftovers.sh

bench: deps
	swift build -c release --product inbox-bench
	swift build -c release --product inbox
	.build/release/inbox-bench all

themes:
	sh scripts/bundle-themes.sh

clean:
	rm -rf .build
