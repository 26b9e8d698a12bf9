package strategies

import "google.golang.org/grpc"

// This file is the one place where strategies depend on APIs that not every
// gRPC-Go release since v1.30 has. Each is detected at run time.

// exitIdle asks an IDLE channel to connect. ClientConn.Connect appeared in
// v1.41, with the change that lets a channel go IDLE when its connection is
// lost; on older releases the channel reconnects by itself, and exitIdle
// reports false.
func exitIdle(cc *grpc.ClientConn) bool {
	c, ok := interface{}(cc).(interface{ Connect() })
	if ok {
		c.Connect()
	}
	return ok
}
