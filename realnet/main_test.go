package realnet_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/reconnbench/reconnbench/realnet"
)

// TestMain doubles as the server process of the tests: started by a
// realnet.Server, this test binary runs echoServer instead of the tests,
// or, given a connection-age limit, agedServer.
func TestMain(m *testing.M) {
	if c, ok := realnet.ChildFromEnv(); ok {
		if _, aged := c.Age(); aged {
			os.Exit(agedServer(c))
		}
		os.Exit(echoServer(c))
	}
	goleak.VerifyTestMain(m)
}

// echoServer echoes every connection, answers each request with the request
// and its process ID, and on SIGTERM closes its listener and connections in
// an orderly way and exits.
func echoServer(c *realnet.Child) int {
	lis, err := c.Listen()
	if err != nil {
		return 1
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			c.Event("accepted")
			go io.Copy(conn, conn)
		}
	}()
	for {
		select {
		case r := <-c.Requests():
			c.Reply(fmt.Sprintf("%s %d", r, os.Getpid()))
		case <-c.Terminated():
			lis.Close()
			mu.Lock()
			for _, conn := range conns {
				conn.Close()
			}
			mu.Unlock()
			return 0
		}
	}
}

// selfCommand starts this test binary as a server process.
func selfCommand() *exec.Cmd {
	return exec.Command(os.Args[0], "-test.run=^$")
}
