module github.com/reconnbench/reconnbench

go 1.21

// The suite built against gRPC-Go v1.50.1, used with go test -modfile. Written by `reconnbench add`.

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794
	github.com/miekg/dns v1.1.15
	github.com/montanaflynn/stats v0.14.0
	go.uber.org/goleak v1.3.0
	golang.org/x/mod v0.14.0
	golang.org/x/net v0.0.0-20201021035429-f5854403a974
	golang.org/x/perf v0.0.0-20220411212318-84e58bfe0a7e
	google.golang.org/grpc v1.50.1
)

require (
	github.com/golang/protobuf v1.5.2 // indirect
	golang.org/x/crypto v0.0.0-20200622213623-75b288015ac9 // indirect
	golang.org/x/sys v0.0.0-20210304124612-50617c2ba197 // indirect
	golang.org/x/text v0.3.6 // indirect
	google.golang.org/genproto v0.0.0-20200526211855-cb27e3aa2013 // indirect
	google.golang.org/protobuf v1.27.1 // indirect
)

replace google.golang.org/grpc => google.golang.org/grpc v1.50.1
