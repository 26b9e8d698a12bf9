# reconnbench: which gRPC-Go reconnect strategy works on which release.
#
#   make bench      the reconnect matrix against the default releases, into RESULTS (results/)
#   make test       go.mod tidy, vet, gofmt, every test with the race detector, a smoke run
#   make help       every target's variables: the command's usage (cmd/reconnbench/doc.go)
#
# Others: plots, compare, bisect, boundaries, validate, bench-throughput, soak, compat,
# versions. The committed baseline is in results/baseline/, where no target
# writes unless told to; `make compare BASE=results/baseline` puts a run
# beside it. Every variable is a flag of cmd/reconnbench, described once,
# in its usage.

GOCMD      ?= go
RECONNBENCH := $(GOCMD) run ./cmd/reconnbench

VERSIONS   ?= default
GO         ?=
STRATEGIES ?=
FAULTS     ?=
TRAFFIC    ?=
DOWNTIME   ?=
QUIET      ?=
CLIENT     ?=
RESOLVER   ?=
BACKENDS   ?=
POLICY     ?=
SCENARIOS  ?= default
COUNT      ?= 6
CLOCK      ?= virtual
LINK       ?= local
RESULTS    ?= results
SHARD      ?=
RESUME     ?= 0
DRYRUN     ?= 0
RELEASE    ?=
A          ?=
B          ?=
BASE       ?=
STRATEGY   ?=
FAULT      ?=
BENCH      ?=
BOUNDARIES ?= 0
METRIC     ?=
GOOD       ?=
BAD        ?=
TOOLCHAINS ?=
ROUNDS     ?=
BASELINE   ?= results/baseline
VALIDATE_VERSIONS ?= auto
VALIDATE_COUNT    ?= 60
TCP_COUNT         ?= 1
SOAK_CYCLES ?= 10000
SOAK_TIME   ?= 5m
SOAK_SEED   ?= 0

# The releases make test smoke-runs: the oldest, the first where idle
# channels stay IDLE, and the newest.
SMOKE_VERSIONS := v1.30.0 v1.41.0 v1.85.0

.PHONY: bench bench-throughput baseline-docs plots test compare bisect boundaries compat validate versions soak help

bench:
	$(RECONNBENCH) bench -versions '$(VERSIONS)' -go '$(GO)' -count '$(COUNT)' -clock '$(CLOCK)' \
		-link '$(LINK)' -results '$(RESULTS)' -shard '$(SHARD)' -resume='$(RESUME)' -n='$(DRYRUN)' $(if $(ROUNDS),-rounds '$(ROUNDS)') \
		-strategies '$(STRATEGIES)' -faults '$(FAULTS)' -traffic '$(TRAFFIC)' \
		-downtime '$(DOWNTIME)' -quiet '$(QUIET)' -client '$(CLIENT)' -scenarios '$(SCENARIOS)' \
		-resolver '$(RESOLVER)' -backends '$(BACKENDS)' -policy '$(POLICY)'

plots:
	$(RECONNBENCH) plots -results '$(RESULTS)' -traffic '$(TRAFFIC)' -release '$(RELEASE)'

# The baseline's report and figures, and the README's findings, from the
# committed baseline.
baseline-docs:
	$(RECONNBENCH) plots -results results/baseline -readme README.md -versions default

bench-throughput:
	$(RECONNBENCH) throughput $(if $(ROUNDS),-count '$(ROUNDS)') -results '$(RESULTS)'

test:
	$(GOCMD) mod tidy -diff
	$(GOCMD) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GOCMD) test -race -count=1 ./...
	$(GOCMD) test -race -count=1 -tags reconnbench_nonewclient -run NewClient ./bench
	@smoke=$$(mktemp -d) && trap 'rm -rf "$$smoke"' EXIT && \
		$(RECONNBENCH) bench -versions '$(SMOKE_VERSIONS)' -count 1 -no-throughput -plots=false -results "$$smoke"

compare:
	$(RECONNBENCH) compare -results '$(RESULTS)' -a '$(A)' -b '$(B)' -base '$(BASE)'

bisect:
	$(RECONNBENCH) bisect -strategy '$(STRATEGY)' -fault '$(FAULT)' -traffic '$(TRAFFIC)' -bench '$(BENCH)' \
		$(if $(DOWNTIME),-downtime '$(DOWNTIME)') $(if $(QUIET),-quiet '$(QUIET)') $(if $(CLIENT),-client '$(CLIENT)') \
		$(if $(RESOLVER),-resolver '$(RESOLVER)') $(if $(BACKENDS),-backends '$(BACKENDS)') $(if $(POLICY),-policy '$(POLICY)') \
		-metric '$(METRIC)' -good '$(GOOD)' -bad '$(BAD)' -count '$(COUNT)' $(if $(ROUNDS),-rounds '$(ROUNDS)') -clock '$(CLOCK)' \
		-go '$(GO)' -results '$(RESULTS)' -boundaries='$(BOUNDARIES)'

boundaries:
	$(RECONNBENCH) boundaries -results '$(RESULTS)'

compat:
	$(RECONNBENCH) compat -versions '$(VERSIONS)' -go '$(TOOLCHAINS)'

validate:
	$(RECONNBENCH) validate -versions '$(VALIDATE_VERSIONS)' -baseline '$(BASELINE)' -results '$(RESULTS)/validate' \
		-count '$(VALIDATE_COUNT)' -tcp-count '$(TCP_COUNT)' \
		-strategies '$(STRATEGIES)' -faults '$(FAULTS)' -traffic '$(TRAFFIC)'

versions:
	$(RECONNBENCH) list

soak:
	$(RECONNBENCH) soak -cycles '$(SOAK_CYCLES)' -time '$(SOAK_TIME)' -seed '$(SOAK_SEED)' -strategies '$(STRATEGIES)'

help:
	@$(RECONNBENCH) help
