// Package replay is the workload under test: a client's log of
// registrations, the gRPC service it replays them to, and the server's store
// that the harness checks after every recovery.
//
// The service is written by hand, a grpc.ServiceDesc and a raw-bytes codec,
// because generated stubs pin a SupportPackageIsVersion constant that older
// gRPC-Go releases lack; this way one source tree builds against every
// release from v1.30 on.
package replay

import (
	"context"
	"encoding/binary"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Full method names.
const (
	serviceName     = "reconnbench.Replay"
	MethodReplay    = "/" + serviceName + "/Replay"
	MethodPing      = "/" + serviceName + "/Ping"
	MethodSubscribe = "/" + serviceName + "/Subscribe"
	MethodPut       = "/" + serviceName + "/Put"
	MethodEnd       = "/" + serviceName + "/EndReplay"
	MethodDiscard   = "/" + serviceName + "/Discard"
	MethodIdentity  = "/" + serviceName + "/Identity"
)

// handler is the HandlerType of the service: grpc.Server.RegisterService
// checks that the implementation satisfies it.
type handler interface {
	replay(grpc.ServerStream) error
	subscribe(grpc.ServerStream) error
	put(entry []byte)
	endReplay() uint64
	identity() string
}

// unary adapts a function of the request bytes to a grpc.MethodDesc handler.
func unary(name string, f func(srv interface{}, req []byte) []byte) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(srv interface{}, ctx context.Context, dec func(interface{}) error, _ grpc.UnaryServerInterceptor) (interface{}, error) {
			var req []byte
			if err := dec(&req); err != nil {
				return nil, err
			}
			return f(srv, req), nil
		},
	}
}

func count(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*handler)(nil),
	Methods: []grpc.MethodDesc{
		unary("Ping", func(_ interface{}, req []byte) []byte { return req }),
		// Put and EndReplay are the unary replay: one call per entry, then
		// one to mark the end.
		unary("Put", func(srv interface{}, req []byte) []byte {
			srv.(handler).put(req)
			return nil
		}),
		unary("EndReplay", func(srv interface{}, _ []byte) []byte { return count(srv.(handler).endReplay()) }),
		// Identity answers with the server instance's identity, fixed
		// when the instance starts (Store.Identity): a client that sees
		// it change knows it reached another instance.
		unary("Identity", func(srv interface{}, _ []byte) []byte { return []byte(srv.(handler).identity()) }),
	},
	Streams: []grpc.StreamDesc{
		{
			StreamName:    "Replay",
			ClientStreams: true,
			Handler: func(srv interface{}, stream grpc.ServerStream) error {
				return srv.(handler).replay(stream)
			},
		},
		{
			// Discard receives a client stream and keeps nothing: the
			// transport's cost without the replay's.
			StreamName:    "Discard",
			ClientStreams: true,
			Handler: func(_ interface{}, stream grpc.ServerStream) error {
				var n uint64
				var b []byte
				for {
					err := stream.RecvMsg(&b)
					if err == io.EOF {
						return stream.SendMsg(count(n))
					}
					if err != nil {
						return err
					}
					n++
				}
			},
		},
		{
			StreamName:    "Subscribe",
			ServerStreams: true,
			Handler: func(srv interface{}, stream grpc.ServerStream) error {
				return srv.(handler).subscribe(stream)
			},
		},
	},
}

// Register adds the service, backed by store, to s.
func Register(s *grpc.Server, store *Store) {
	s.RegisterService(&serviceDesc, service{store})
}

type service struct{ store *Store }

// replay stores every entry of a client stream and answers with the count.
// A replay that begins when the store already holds the whole log is
// spurious: nobody needed it (Store.Spurious).
func (s service) replay(stream grpc.ServerStream) error {
	spurious := s.store.isComplete()
	var n uint64
	var b []byte
	for {
		err := stream.RecvMsg(&b)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		s.store.add(b)
		n++
	}
	s.store.replayEnded(spurious)
	return stream.SendMsg(count(n))
}

func (s service) put(entry []byte) { s.store.add(entry) }

// endReplay ends a unary replay and answers with the number of distinct
// entries the store holds.
func (s service) endReplay() uint64 {
	s.store.replayEnded(false)
	return uint64(s.store.held())
}

func (s service) identity() string { return s.store.Identity() }

// subscribe holds a stream open until the client leaves or the server
// drains.
func (s service) subscribe(stream grpc.ServerStream) error {
	var req []byte
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	select {
	case <-stream.Context().Done():
		return stream.Context().Err()
	case <-s.store.draining:
		return status.Error(codes.Unavailable, "server is shutting down")
	}
}
