package bench

import (
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"

	"google.golang.org/grpc"
)

const grpcModule = "google.golang.org/grpc"

// GRPCVersion returns the version of gRPC-Go linked into this binary. It is
// what the results' "grpc:" line says, so it comes from the build, never
// from what was asked for:
//
//   - the module list of the build information, following replace
//     directives, in binaries that have one;
//   - otherwise (test binaries carry no module list) the source path the
//     linked gRPC code was compiled from, which names the module version
//     the go command resolved, replacements included
//     (".../google.golang.org/grpc@v1.44.0/server.go");
//   - failing both (a vendored or local copy), the package's own
//     grpc.Version constant, which some releases get wrong: v1.44.0 says
//     1.44.1-dev.
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
	if v, ok := versionFromSource(); ok {
		return v
	}
	return "v" + strings.TrimPrefix(grpc.Version, "v")
}

// versionFromSource reads the module version from the file name recorded
// for a linked gRPC function.
func versionFromSource() (string, bool) {
	pc := reflect.ValueOf(grpc.NewServer).Pointer()
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return "", false
	}
	file, _ := fn.FileLine(pc)
	_, rest, ok := strings.Cut(file, grpcModule+"@")
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, "/")
	return v, ok && v != ""
}

// GoVersion returns the Go toolchain that built this binary.
func GoVersion() string { return runtime.Version() }
