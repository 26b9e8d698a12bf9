package netsim_test

import (
	"context"
	"fmt"
	"io"

	"github.com/reconnbench/reconnbench/netsim"
)

func ExampleNew() {
	n := netsim.New(netsim.LAN)
	defer n.Close()
	lis, _ := n.Listen("server:1")
	go func() {
		c, _ := lis.Accept()
		defer c.Close()
		io.WriteString(c, "hello from the server")
	}()

	c, err := n.Dial(context.Background(), "server:1")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	msg, _ := io.ReadAll(c)
	fmt.Printf("%s\n", msg)
	for _, d := range n.Dials() {
		fmt.Println(d.Addr, d.Outcome)
	}
	// Output:
	// hello from the server
	// server:1 accepted
}
