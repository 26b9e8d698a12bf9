module github.com/reconnbench/reconnbench

go 1.24.0

// The suite built against gRPC-Go v1.77.0, used with go test -modfile. Written by `reconnbench add`.

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794
	github.com/miekg/dns v1.1.15
	github.com/montanaflynn/stats v0.14.0
	go.uber.org/goleak v1.3.0
	golang.org/x/mod v0.28.0
	golang.org/x/net v0.46.1-0.20251013234738-63d1a5100f82
	golang.org/x/perf v0.0.0-20220411212318-84e58bfe0a7e
	google.golang.org/grpc v1.77.0
)

require (
	golang.org/x/crypto v0.43.0 // indirect
	golang.org/x/sys v0.37.0 // indirect
	golang.org/x/text v0.30.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20251022142026-3a174f9686a8 // indirect
	google.golang.org/protobuf v1.36.10 // indirect
)

replace google.golang.org/grpc => google.golang.org/grpc v1.77.0
