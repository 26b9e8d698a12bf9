package netsim

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"
)

// FuzzConn writes data through a connection in chunks whose sizes come from
// the input and reads it back with reads of other sizes: every byte must
// arrive once, in order, and nothing may hang.
func FuzzConn(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint16(1))
	f.Add([]byte("x"), uint16(1), uint16(7))
	f.Add(bytes.Repeat([]byte("reconnbench"), 1000), uint16(3), uint16(4096))
	f.Add(bytes.Repeat([]byte{0xff, 0}, 40000), uint16(65535), uint16(17))
	f.Fuzz(func(t *testing.T, data []byte, wchunk, rchunk uint16) {
		n := New(Local)
		defer n.Close()
		lis, err := n.Listen("server:1")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client, err := n.Dial(ctx, "server:1")
		if err != nil {
			t.Fatal(err)
		}
		server, err := lis.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer server.Close()
		// Write sizes vary around wchunk, so chunk boundaries move.
		werr := make(chan error, 1)
		go func() {
			rest, k := data, int(wchunk)%4096+1
			for len(rest) > 0 {
				m := min(k, len(rest))
				if _, err := client.Write(rest[:m]); err != nil {
					werr <- err
					return
				}
				rest, k = rest[m:], k%4096+int(wchunk)%13+1
			}
			werr <- client.Close()
		}()
		server.SetReadDeadline(time.Now().Add(10 * time.Second)) // never hang
		var got bytes.Buffer
		buf := make([]byte, int(rchunk)%8192+1)
		for {
			m, err := server.Read(buf)
			got.Write(buf[:m])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("read after %d of %d bytes: %v", got.Len(), len(data), err)
			}
		}
		if err := <-werr; err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("read %d bytes that differ from the %d written", got.Len(), len(data))
		}
	})
}
