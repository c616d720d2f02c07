# The two set-up commands (see README). Both install what is missing first.
.PHONY: run test bench ci

run:
	scripts/install-deps.sh run
	npm --prefix ui run build
	cargo build -p gurumisha-cli -p gurumisha-console
	./target/debug/gurumisha demo --if-empty
	./target/debug/gurumisha-console

test:
	scripts/test.sh

bench:
	cargo run --release -p gurumisha-cli --bin gurumisha-bench -- --backend sqlite
	cargo run --release -p gurumisha-cli --bin gurumisha-bench -- --backend postgres

ci:
	bash .ci/run
