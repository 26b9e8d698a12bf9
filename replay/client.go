package replay

import (
	"context"
	"encoding/binary"
	"fmt"

	"google.golang.org/grpc"
)

// Client replays a Log over a ClientConn and makes the client's other
// traffic.
type Client struct {
	cc  *grpc.ClientConn
	log *Log
}

// NewClient returns a client of the service on cc with the given log.
func NewClient(cc *grpc.ClientConn, log *Log) *Client { return &Client{cc: cc, log: log} }

// Replay sends the whole log on one client stream and waits for the
// server's count. The stream waits for the channel to be ready, as replays
// are issued right after a reconnect.
func (c *Client) Replay(ctx context.Context) error {
	n := len(c.log.entries)
	got, err := c.sendStream(ctx, &serviceDesc.Streams[0], MethodReplay, n, func(i int) []byte { return c.log.entries[i] })
	if err != nil {
		return err
	}
	if got != uint64(n) {
		return fmt.Errorf("replay: server acknowledged %d, want %d entries", got, n)
	}
	return nil
}

// sendStream sends n messages, msg(0) to msg(n-1), on one client stream of
// desc, waiting for the channel to be ready, and returns the count the
// server answers with.
func (c *Client) sendStream(ctx context.Context, desc *grpc.StreamDesc, method string, n int, msg func(int) []byte) (uint64, error) {
	stream, err := c.cc.NewStream(ctx, desc, method, callOption, grpc.WaitForReady(true))
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i++ {
		if err := stream.SendMsg(msg(i)); err != nil {
			// The server's status says why the stream broke.
			var reply []byte
			if rerr := stream.RecvMsg(&reply); rerr != nil {
				return 0, rerr
			}
			return 0, err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return 0, err
	}
	var reply []byte
	if err := stream.RecvMsg(&reply); err != nil {
		return 0, err
	}
	if len(reply) != 8 {
		return 0, fmt.Errorf("%s: server answered %x, want an 8-byte count", method, reply)
	}
	return binary.BigEndian.Uint64(reply), nil
}

// Identity asks the server for its instance's identity, waiting for the
// channel to be ready; ctx bounds the wait.
func (c *Client) Identity(ctx context.Context) (string, error) {
	var reply []byte
	if err := c.cc.Invoke(ctx, MethodIdentity, []byte{}, &reply, callOption, grpc.WaitForReady(true)); err != nil {
		return "", err
	}
	return string(reply), nil
}

// Ping makes one unary call, failing fast when the channel is down, as
// ordinary client traffic does, unless opts say otherwise
// (grpc.WaitForReady).
func (c *Client) Ping(ctx context.Context, opts ...grpc.CallOption) error {
	var reply []byte
	return c.cc.Invoke(ctx, MethodPing, []byte("ping"), &reply, append([]grpc.CallOption{callOption}, opts...)...)
}

// Subscribe opens a long-lived stream and returns when it breaks or ctx
// ends.
func (c *Client) Subscribe(ctx context.Context) error {
	stream, err := c.cc.NewStream(ctx, &serviceDesc.Streams[2], MethodSubscribe, callOption)
	if err != nil {
		return err
	}
	if err := stream.SendMsg([]byte("subscribe")); err != nil {
		return err
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	var msg []byte
	for {
		if err := stream.RecvMsg(&msg); err != nil {
			return err
		}
	}
}

// ReplayUnary sends the log one unary call per entry, each waiting for the
// channel to be ready, then marks the end of the replay.
func (c *Client) ReplayUnary(ctx context.Context) error {
	var reply []byte
	for _, e := range c.log.entries {
		if err := c.cc.Invoke(ctx, MethodPut, e, &reply, callOption, grpc.WaitForReady(true)); err != nil {
			return err
		}
	}
	if err := c.cc.Invoke(ctx, MethodEnd, []byte{}, &reply, callOption, grpc.WaitForReady(true)); err != nil {
		return err
	}
	if len(reply) != 8 || binary.BigEndian.Uint64(reply) < uint64(len(c.log.entries)) {
		return fmt.Errorf("replay: server holds %x entries after a unary replay, want %d", reply, len(c.log.entries))
	}
	return nil
}

// Discard sends msg n times on one client stream to a server that keeps
// nothing: the cost of the transport and gRPC alone, the yardstick for
// Replay.
func (c *Client) Discard(ctx context.Context, msg []byte, n int) error {
	got, err := c.sendStream(ctx, &serviceDesc.Streams[1], MethodDiscard, n, func(int) []byte { return msg })
	if err != nil {
		return err
	}
	if got != uint64(n) {
		return fmt.Errorf("discard: server counted %d, want %d messages", got, n)
	}
	return nil
}
