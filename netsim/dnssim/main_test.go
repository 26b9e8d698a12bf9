package dnssim

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain installs the resolver hook outside every bubble, before any
// lookup: see InstallDefaultResolver.
func TestMain(m *testing.M) {
	if err := InstallDefaultResolver(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m)
}
