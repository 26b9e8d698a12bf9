package bench

import (
	"runtime"
	"runtime/debug"
	"strings"

	"google.golang.org/grpc"
)

const grpcModule = "google.golang.org/grpc"

// GRPCVersion returns the version of gRPC-Go linked into this binary. It is
// what the results' "grpc:" line says, so it comes from the build, never
// from what was asked for: the module list in the build information,
// following replace directives, where the binary has one; otherwise (test
// binaries carry no module list) the linked package's own grpc.Version
// constant, which is compiled from the same source.
func GRPCVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path != grpcModule {
				continue
			}
			if m.Replace != nil {
				m = m.Replace
			}
			if m.Version != "" {
				return m.Version
			}
		}
	}
	return "v" + strings.TrimPrefix(grpc.Version, "v")
}

// GoVersion returns the Go toolchain that built this binary.
func GoVersion() string { return runtime.Version() }
