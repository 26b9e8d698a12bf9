//go:build !reconnbench_nonewclient

package bench

import "google.golang.org/grpc"

// This file and newclient_none.go are the one place where package bench
// uses grpc.NewClient, which appeared in gRPC-Go v1.63 as a package
// function, so it cannot be detected at run time. Builds against older
// releases set the build tag reconnbench_nonewclient (versions.BuildTags
// says which) and get newclient_none.go instead.

// newClient builds a client=newclient channel.
func newClient(target string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.NewClient(target, opts...)
}
