// Package versions keeps the gRPC-Go releases the suite builds against.
//
// Each tracked release has a module file set in this folder,
// versions/<release>/go.mod and go.sum, used with `go test -modfile`, so
// that one source tree builds against every release from v1.30.0 on;
// versions/default.txt lists the releases make bench runs by default. The
// package lists releases on the module proxy, writes module files for
// them (WriteModFiles) and turns a VERSIONS value into releases (Select).
package versions

import (
	"path/filepath"
	"time"
)

// Dir is the folder of the module file sets, relative to the module root.
const Dir = "versions"

// ModFile returns the module file of release v in the folder dir.
func ModFile(dir, v string) string { return filepath.Join(dir, v, "go.mod") }

// waitDelay bounds how long a killed go command may hold its output open.
const waitDelay = 5 * time.Second
