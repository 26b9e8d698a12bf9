# reconnbench: which gRPC-Go reconnect strategy works on which release.
#
#   make bench      run the reconnect matrix against the default releases
#   make test       vet, gofmt, every test with the race detector, and a
#                   smoke run against the oldest, a middle and the newest release
#   make plots      figures and results/REPORT.md from the results (also run by make bench)
#   make compare    benchstat over the results, releases as columns (A=, B= for two)
#   make bisect     first release where a metric changes (STRATEGY FAULT TRAFFIC METRIC GOOD BAD)
#   make compat     which releases build and run with which Go toolchains
#   make bench-throughput  netsim, bufconn and TCP throughput, replay throughput, and their ratios
#   make validate   the same cells on the virtual netsim and on real TCP with server
#                   processes (SIGKILL, SIGTERM, a blackholing proxy), side by side
#   make versions   gRPC-Go releases on the module proxy, and which are tracked
#   make soak       thousands of restart cycles with random faults on the virtual clock,
#                   checking that nothing is lost or leaks (SOAK_CYCLES SOAK_TIME SOAK_SEED)
#
# Variables, all optional: VERSIONS (default, all, or releases), GO (a Go
# toolchain such as go1.23.12), STRATEGIES, FAULTS, TRAFFIC (space- or
# comma-separated; default all), COUNT (runs per cell), CLOCK (virtual or
# real), LINK (local, lan, wan), RESULTS (folder), SHARD (i/n), RESUME (1:
# keep what an interrupted or failed make bench finished, run only the rest);
# for make soak SOAK_CYCLES (default 10000), SOAK_TIME (stop starting cycles
# after it, default 5m) and SOAK_SEED (0: a fresh seed, printed); for make
# validate VALIDATE_VERSIONS (default auto), VALIDATE_COUNT (virtual cycles
# per cell, default 60) and TCP_COUNT (real cycles per cell, default 1); for
# make bench-throughput ROUNDS (each benchmark runs once a round, default 10).

GOCMD      ?= go
VERSIONS   ?= default
GO         ?=
STRATEGIES ?=
FAULTS     ?=
TRAFFIC    ?=
COUNT      ?= 6
CLOCK      ?= virtual
LINK       ?= local
RESULTS    ?= results
SHARD      ?=
RESUME     ?= 0
TOOLCHAINS ?=
METRIC     ?= missed/op
SOAK_CYCLES ?= 10000
SOAK_TIME   ?= 5m
SOAK_SEED   ?= 0

VERSIONS_CMD := $(GOCMD) run ./versions
# The releases make test smoke-runs: the oldest, the first where idle
# channels stay IDLE, and the newest.
SMOKE_VERSIONS := v1.30.0 v1.41.0 v1.85.0

.PHONY: bench bench-throughput plots test compare bisect compat validate versions soak

bench:
	$(VERSIONS_CMD) bench -versions '$(VERSIONS)' -go '$(GO)' -count '$(COUNT)' -clock '$(CLOCK)' \
		-link '$(LINK)' -results '$(RESULTS)' -shard '$(SHARD)' -resume='$(RESUME)' \
		-strategies '$(STRATEGIES)' -faults '$(FAULTS)' -traffic '$(TRAFFIC)'
	$(GOCMD) run ./plots -results '$(RESULTS)'

plots:
	$(GOCMD) run ./plots -results '$(RESULTS)'

ROUNDS ?= 10

bench-throughput:
	$(VERSIONS_CMD) throughput -count '$(ROUNDS)' -results '$(RESULTS)'

test:
	$(GOCMD) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GOCMD) test -race -count=1 ./...
	@smoke=$$(mktemp -d) && trap 'rm -rf "$$smoke"' EXIT && \
		$(VERSIONS_CMD) bench -versions '$(SMOKE_VERSIONS)' -count 1 -no-throughput -results "$$smoke"

compare:
	$(VERSIONS_CMD) compare -results '$(RESULTS)' -a '$(A)' -b '$(B)'

bisect:
	$(VERSIONS_CMD) bisect -strategy '$(STRATEGY)' -fault '$(FAULT)' -traffic '$(TRAFFIC)' \
		-metric '$(METRIC)' -good '$(GOOD)' -bad '$(BAD)' -count '$(COUNT)' -go '$(GO)'

compat:
	$(VERSIONS_CMD) compat -versions '$(VERSIONS)' -go '$(TOOLCHAINS)'

# VALIDATE_VERSIONS=auto: the oldest and newest tracked releases and both
# sides of every behaviour change in $(RESULTS).
VALIDATE_VERSIONS ?= auto
VALIDATE_COUNT    ?= 60
TCP_COUNT         ?= 1

validate:
	$(VERSIONS_CMD) validate -versions '$(VALIDATE_VERSIONS)' -baseline '$(RESULTS)' -results '$(RESULTS)/validate' \
		-count '$(VALIDATE_COUNT)' -tcp-count '$(TCP_COUNT)' \
		-strategies '$(STRATEGIES)' -faults '$(FAULTS)' -traffic '$(TRAFFIC)'

versions:
	$(VERSIONS_CMD) list

# Not under the race detector: it would make the soak ten times slower.
# make test runs a small soak with it.
soak:
	$(GOCMD) test -count=1 -v -timeout 1h -run '^TestSoak$$' ./bench -args \
		-soak.cycles '$(SOAK_CYCLES)' -soak.time '$(SOAK_TIME)' -soak.seed '$(SOAK_SEED)' \
		-soak.strategies '$(STRATEGIES)'
