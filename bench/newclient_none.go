//go:build reconnbench_nonewclient

package bench

import "google.golang.org/grpc"

// newClient reports that this build's gRPC-Go release has no
// grpc.NewClient (see newclient.go).
func newClient(string, ...grpc.DialOption) (*grpc.ClientConn, error) {
	return nil, ErrNotApplicable
}
