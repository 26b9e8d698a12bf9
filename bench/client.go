package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
)

// Client is how a cycle's client builds its channel: a key of the cell.
type Client string

// The clients.
const (
	// Dial is grpc.DialContext, in every release: the channel starts
	// connecting at once.
	Dial Client = "dial"
	// NewClient is grpc.NewClient, from gRPC-Go v1.63 on, where Dial is
	// deprecated. Its channel starts IDLE and connects at the first RPC
	// or Connect(): the harness makes that first call (a wait-for-ready
	// ping) as the cycle starts, as a client's code does, so that every
	// strategy gets its first connection. NewClient's default resolver is
	// dns; the cycle names the passthrough resolver, as for Dial, so the
	// two differ only in how the channel starts. A release without
	// NewClient records the cell as not applicable (ErrNotApplicable).
	NewClient Client = "newclient"
)

var clients = []Client{Dial, NewClient}

// Clients returns every client.
func Clients() []Client { return append([]Client(nil), clients...) }

// ParseClient returns the client called name.
func ParseClient(name string) (Client, error) {
	names := make([]string, len(clients))
	for i, c := range clients {
		if string(c) == name {
			return c, nil
		}
		names[i] = string(c)
	}
	return "", fmt.Errorf("unknown client %q (valid: %s)", name, strings.Join(names, ", "))
}

// ErrNotApplicable is a cell that cannot run against the linked gRPC-Go
// release, such as client=newclient before v1.63: Run returns a Cycle
// with Inapplicable set for it, and Result records the cell as not
// applicable, never as a miss.
var ErrNotApplicable = errors.New("does not apply to the linked gRPC-Go release")

// dialClient builds the channel of client c to target.
func dialClient(ctx context.Context, c Client, target string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	if c == NewClient {
		return newClient(target, opts...)
	}
	return grpc.DialContext(ctx, target, opts...)
}
