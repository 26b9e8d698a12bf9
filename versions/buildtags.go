package versions

import (
	"strings"

	"golang.org/x/mod/semver"
)

// NoNewClientTag is the build tag of a build against a release that lacks
// grpc.NewClient: package bench then records client=newclient cells as
// not applicable (bench/newclient_none.go) instead of failing to compile.
const NoNewClientTag = "reconnbench_nonewclient"

// NewClientRelease is the first gRPC-Go release with grpc.NewClient.
const NewClientRelease = "v1.63.0"

// BuildTags returns the build tags that a build of the suite against
// gRPC-Go release needs (go test -tags, comma-joined): NoNewClientTag
// before NewClientRelease. A version it cannot read is taken to be a
// recent one.
func BuildTags(release string) []string {
	if semver.IsValid(release) && semver.Compare(release, NewClientRelease) < 0 {
		return []string{NoNewClientTag}
	}
	return nil
}

// LinknameXNet is the one golang.org/x/net of a tracked release's module
// graph whose internal/socket reaches into package syscall with
// go:linkname (syscall.recvmsg, sendmsg, getsockopt, setsockopt), which
// the linker of Go 1.23 and later refuses. It is in v1.51.0's graph, and
// the suite links it through github.com/miekg/dns (x/net/ipv4 and ipv6,
// for UDP), which netsim/dnssim uses. Raising it would change gRPC's http2
// code; the linker's check is turned off instead (LinkerFlags).
const LinknameXNet = "v0.0.0-20220722155237-a158d28d115b"

// linknameReleases are the tracked releases whose module files require
// LinknameXNet (TestLinkerFlagsMatchModFiles holds this list to them).
var linknameReleases = []string{"v1.51.0"}

// LinkerFlags returns the linker flags (go test -ldflags) that a build of
// the suite against gRPC-Go release needs: -checklinkname=0 for the
// releases whose x/net is LinknameXNet, so that Go 1.23 and later link
// it as Go 1.22 did. None for others.
func LinkerFlags(release string) []string {
	for _, r := range linknameReleases {
		if r == release {
			return []string{"-checklinkname=0"}
		}
	}
	return nil
}

// BuildFlags returns the go command flags of a build of the suite against
// gRPC-Go release (go test -c, go test, go vet): -tags with BuildTags,
// always given, even empty, and -ldflags with LinkerFlags where it has
// any.
func BuildFlags(release string) []string {
	flags := []string{"-tags=" + strings.Join(BuildTags(release), ",")}
	if ld := LinkerFlags(release); len(ld) > 0 {
		flags = append(flags, "-ldflags="+strings.Join(ld, " "))
	}
	return flags
}
