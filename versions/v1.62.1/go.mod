module github.com/reconnbench/reconnbench

go 1.21

// The suite built against gRPC-Go v1.62.1, used with go test -modfile. Written by `reconnbench add`.

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794
	github.com/miekg/dns v1.1.15
	github.com/montanaflynn/stats v0.14.0
	go.uber.org/goleak v1.3.0
	golang.org/x/mod v0.14.0
	golang.org/x/net v0.20.0
	golang.org/x/perf v0.0.0-20220411212318-84e58bfe0a7e
	google.golang.org/grpc v1.62.1
)

require (
	github.com/golang/protobuf v1.5.3 // indirect
	golang.org/x/crypto v0.18.0 // indirect
	golang.org/x/sys v0.16.0 // indirect
	golang.org/x/text v0.14.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240123012728-ef4313101c80 // indirect
	google.golang.org/protobuf v1.32.0 // indirect
)

replace google.golang.org/grpc => google.golang.org/grpc v1.62.1
