package replay_test

import (
	"fmt"

	"github.com/reconnbench/reconnbench/replay"
)

func ExampleNewLog() {
	log, err := replay.NewLog(replay.DefaultEntries, replay.DefaultEntrySize)
	if err != nil {
		panic(err)
	}
	fmt.Println(log.Len(), "entries,", log.Bytes(), "bytes to replay after every restart")
	// Output: 1000 entries, 256000 bytes to replay after every restart
}
