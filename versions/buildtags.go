package versions

import "golang.org/x/mod/semver"

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
