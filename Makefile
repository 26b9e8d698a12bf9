# reconnbench: which gRPC-Go reconnect strategy works on which release.
#
#   make bench     run the reconnect matrix, write $(RESULTS)/grpc-<version>.txt
#   make test      vet, format check and every test with the race detector
#   make compare   benchstat over the results
#
# Variables (all optional): STRATEGIES, FAULTS, TRAFFIC (space- or
# comma-separated names; default all), COUNT (runs per cell), CLOCK
# (virtual or real), LINK (local, lan, wan), RESULTS (output folder).

GO         ?= go
RESULTS    ?= results
COUNT      ?= 6
CLOCK      ?= virtual
LINK       ?= local
STRATEGIES ?=
FAULTS     ?=
TRAFFIC    ?=

GRPC_VERSION := $(shell $(GO) list -m -f '{{.Version}}' google.golang.org/grpc)
SUFFIX       := $(if $(filter virtual,$(CLOCK)),,.$(CLOCK))$(if $(filter local,$(LINK)),,.$(LINK))
RESULT_FILE  := $(RESULTS)/grpc-$(GRPC_VERSION)$(SUFFIX).txt

.PHONY: bench test compare

BIN := bin

# The matrix runs from a test binary (synctest needs a *testing.T), run
# directly so that its progress lines appear as it goes.
bench:
	@mkdir -p $(BIN)
	$(GO) test -c -o $(BIN)/bench.test ./bench
	$(BIN)/bench.test -test.run '^TestMatrix$$' -test.count=1 -test.timeout 120m \
		-matrix.out='$(RESULT_FILE)' -matrix.grpc='$(GRPC_VERSION)' \
		-matrix.count='$(COUNT)' -matrix.clock='$(CLOCK)' -matrix.link='$(LINK)' \
		-matrix.strategies='$(STRATEGIES)' -matrix.faults='$(FAULTS)' -matrix.traffic='$(TRAFFIC)'
	@echo "make compare shows the results with benchstat"

test:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) test -race -count=1 ./...

compare:
	$(GO) tool benchstat -filter '.unit:(recover-sec/op OR missed/op OR detect-sec/op OR dials/op)' $(RESULTS)/*.txt
