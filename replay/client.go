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
	stream, err := c.cc.NewStream(ctx, &serviceDesc.Streams[0], MethodReplay, callOption, grpc.WaitForReady(true))
	if err != nil {
		return err
	}
	for _, e := range c.log.entries {
		if err := stream.SendMsg(e); err != nil {
			// The server's status says why the stream broke.
			var reply []byte
			if rerr := stream.RecvMsg(&reply); rerr != nil {
				return rerr
			}
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	var reply []byte
	if err := stream.RecvMsg(&reply); err != nil {
		return err
	}
	if len(reply) != 8 || binary.BigEndian.Uint64(reply) != uint64(len(c.log.entries)) {
		return fmt.Errorf("replay: server acknowledged %x, want %d entries", reply, len(c.log.entries))
	}
	return nil
}

// Ping makes one unary call, failing fast when the channel is down, as
// ordinary client traffic does.
func (c *Client) Ping(ctx context.Context) error {
	var reply []byte
	return c.cc.Invoke(ctx, MethodPing, []byte("ping"), &reply, callOption)
}

// Subscribe opens a long-lived stream and returns when it breaks or ctx
// ends.
func (c *Client) Subscribe(ctx context.Context) error {
	stream, err := c.cc.NewStream(ctx, &serviceDesc.Streams[1], MethodSubscribe, callOption)
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
