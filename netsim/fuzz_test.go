package netsim

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"
)

// maxStream caps the bytes one fuzz input sends, so that every execution is
// quick while still going past the buffer.
const maxStream = 2*defaultBuffer + 4096

// FuzzConn sends a stream through a connection in chunks whose sizes come
// from the input and reads it back with reads of other sizes: every byte
// must arrive once, in order, and nothing may hang.
//
// The stream is data repeated copies+1 times (capped at maxStream), so a
// small input can describe a stream larger than the buffer; keeping corpus
// entries small keeps the fuzzer's minimisation of new inputs fast.
func FuzzConn(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint16(1), uint16(0))
	f.Add([]byte("x"), uint16(1), uint16(7), uint16(0))
	f.Add([]byte("reconnbench"), uint16(3), uint16(4096), uint16(999))
	f.Add([]byte{0xff, 0}, uint16(65535), uint16(17), uint16(39999))
	// More than the buffer, so the writer waits for the reader.
	f.Add([]byte("0123456789abcdef"), uint16(4095), uint16(8191), uint16(65535))
	f.Fuzz(func(t *testing.T, data []byte, wchunk, rchunk, copies uint16) {
		k := int(copies) + 1
		if len(data) > 0 && len(data)*k > maxStream {
			k = max(1, maxStream/len(data))
		}
		data = bytes.Repeat(data, k)

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
