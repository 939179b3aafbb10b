# The two quick-start commands (README): `make run` and `make test`.
# Both install whatever is missing first and are quick when everything is there.
.PHONY: run test bench attack

run:   ## set up what is missing, start the sandbox, the demo merchant and the pages
	@bash .ci/serve

test:  ## set up what is missing, run every check (fmt, clippy, native, browser, tsc, e2e)
	@bash .ci/test

bench: ## benchmarks recorded in BENCHMARKS.md
	@bash .ci/bench

attack: ## the attack suite alone (also part of `make test`): hostile pages, merchants and floods
	@bash .ci/attack
