package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrintRatios(t *testing.T) {
	in := `goos: linux
BenchmarkTransport/net=netsim/load=raw-2 100 1000 ns/op 30000 MB/s
BenchmarkTransport/net=netsim/load=raw-2 100 1000 ns/op 10000 MB/s
BenchmarkTransport/net=netsim/load=raw-2 100 1000 ns/op 20000 MB/s
BenchmarkTransport/net=bufconn/load=raw-2 100 1000 ns/op 16000 MB/s
BenchmarkTransport/net=netsim/load=stream-2 100 1000 ns/op 900000 msgs/s
BenchmarkTransport/net=bufconn/load=stream-2 100 1000 ns/op 1000000 msgs/s
BenchmarkTransport/net=tcp/load=stream-2 100 1000 ns/op 500000 msgs/s
BenchmarkReplay/strategy=watcher/mode=stream-2 100 1000 ns/op 855000 msgs/s
BenchmarkReplay/strategy=watcher/mode=unary-2 100 1000 ns/op 1 msgs/s
`
	var out bytes.Buffer
	if err := printRatios(&out, strings.NewReader(in), "t.txt"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"netsim raw bytes / bufconn raw bytes", "1.25  target >= 1.00: met", // median 20000 / 16000
		"0.90  target >= 0.95: NOT met",
		"netsim gRPC stream / TCP gRPC stream", "1.80",
		"replay (strategy=watcher) / raw gRPC stream, both netsim", "0.95  target >= 0.90: met",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPrintRatiosMalformed(t *testing.T) {
	err := printRatios(new(bytes.Buffer), strings.NewReader("BenchmarkX 1 2 ns/op 3\n"), "t.txt")
	if err == nil || !strings.Contains(err.Error(), "t.txt:1") {
		t.Fatalf("got %v, want an error naming t.txt:1", err)
	}
}
