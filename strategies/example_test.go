package strategies_test

import (
	"fmt"

	"github.com/reconnbench/reconnbench/strategies"
)

func ExampleLookup() {
	info, err := strategies.Lookup("watcher")
	if err != nil {
		panic(err)
	}
	fmt.Println(info.Name+":", info.Summary)

	_, err = strategies.Lookup("polling")
	fmt.Println(err)
	// Output:
	// watcher: WaitForStateChange loop: replay on every READY after a loss, Connect() when IDLE
	// unknown strategy "polling" (valid: combined, dialer, healthwatch, identity, keepalive, watcher)
}
