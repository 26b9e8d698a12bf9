package realnet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/realnet"
)

// A supervisor starts a server binary, dials it through a recording
// dialer, crashes it for a second and finds a fresh process at the same
// address.
func ExampleStartServer() {
	s, err := realnet.StartServer(realnet.Config{
		// The binary must speak the child side of the protocol (Child).
		Command: func() *exec.Cmd { return exec.Command("./server") },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	var d realnet.Dialer
	conn, err := d.Dial(context.Background(), s.Target())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	if err := s.Inject(context.Background(), netsim.Crash{}, time.Second); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(s.Starts()), "processes served;", len(d.Dials()), "dials")
}

// The server binary's side: prepare, then listen when told to, and stop
// gracefully on SIGTERM.
func ExampleChild() {
	c, ok := realnet.ChildFromEnv()
	if !ok {
		return // not started by a Server
	}
	lis, err := c.Listen()
	if err != nil {
		os.Exit(1)
	}
	go func() {
		for {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			go io.Copy(conn, conn)
		}
	}()
	for {
		select {
		case req := <-c.Requests():
			c.Reply("unknown request " + req)
		case <-c.Terminated():
			lis.Close()
			os.Exit(0)
		}
	}
}

// A blackholed proxy keeps the connection open and answers nothing.
func ExampleProxy_Blackhole() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer lis.Close()
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	p, err := realnet.NewProxy(lis.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	buf := make([]byte, 5)
	io.WriteString(c, "hello")
	io.ReadFull(c, buf)
	fmt.Println(string(buf))

	p.Blackhole()
	io.WriteString(c, "again")
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, err = c.Read(buf)
	fmt.Println("silent:", errors.Is(err, os.ErrDeadlineExceeded))
	// Output:
	// hello
	// silent: true
}
