package versions

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// Floors of the dependencies other than gRPC-Go in the per-release module
// files: the lowest versions that build, so that minimal version selection
// never raises gRPC-Go's own dependencies (x/net, protobuf) or the go line
// above what the release itself needs.
const (
	// perfFloor is the oldest golang.org/x/perf with today's benchfmt API
	// (Result.Config, Writer); its go.mod says go 1.15. Its requirement
	// of an old gRPC-Go is overridden by the replace directive.
	perfFloor = "v0.0.0-20220411212318-84e58bfe0a7e"
	// goleakVersion is the main go.mod's; it needs go 1.20.
	goleakVersion = "v1.3.0"
	// statsVersion is the main go.mod's; it needs go 1.17.
	statsVersion = "v0.14.0"
	// modFloor is the oldest golang.org/x/mod with semver as today; it
	// needs go 1.18, where newer ones need a newer go than some releases.
	modFloor = "v0.14.0"
	// dnsVersion is the DNS server of netsim/dnssim. Its go.mod requires
	// nothing, so it raises no module of a release's graph (x/net, x/sys
	// stay as the release had them; it adds golang.org/x/crypto at the
	// release's own version). Later versions require newer x/net (v1.1.26
	// one of 2019-09, newer than v1.30.0's), which would change gRPC's
	// http2 code for the old releases.
	dnsVersion = "v1.1.15"
	// goFloor is the lowest go line: the oldest toolchain of the
	// compatibility table. Releases that need more raise it.
	goFloor = "1.21"
)

// builtPackages are the packages a per-release run builds with their
// tests: the bench test binary, which imports netsim, netsim/dnssim,
// replay, resultset and strategies, and dnssim's own tests, which run
// gRPC-Go's dns resolver against each release. The module files cover
// them and nothing else (not the plots, not the other packages' tests,
// some of which use APIs newer than v1.30).
var builtPackages = []string{"./bench", "./netsim/dnssim"}

// WriteModFiles creates or recreates vdir/go.mod and go.sum for release v,
// running the go command in the module root.
func WriteModFiles(root, vdir, v string) error {
	modulePath, err := mainModulePath(root)
	if err != nil {
		return err
	}
	goLine, err := releaseGoLine(v)
	if err != nil {
		return err
	}
	if semver.Compare("v"+goLine, "v"+goFloor) < 0 {
		goLine = goFloor
	}
	f := new(modfile.File)
	f.AddModuleStmt(modulePath)
	f.AddComment("// The suite built against gRPC-Go " + v + ", used with go test -modfile. Written by `reconnbench add`.")
	if err := f.AddGoStmt(goLine); err != nil {
		return err
	}
	for _, req := range [][2]string{{GRPCModule, v}, {"golang.org/x/perf", perfFloor}, {"go.uber.org/goleak", goleakVersion},
		{"github.com/montanaflynn/stats", statsVersion}, {"golang.org/x/mod", modFloor}, {"github.com/miekg/dns", dnsVersion}} {
		if err := f.AddRequire(req[0], req[1]); err != nil {
			return err
		}
	}
	// Another dependency's requirement must never raise gRPC-Go above v.
	if err := f.AddReplace(GRPCModule, "", GRPCModule, v); err != nil {
		return err
	}
	data, err := f.Format()
	if err != nil {
		return err
	}
	// The new files are made beside the old ones and replace them only
	// once the go command has completed them, so a failure leaves a
	// tracked release as it was.
	if err := os.MkdirAll(filepath.Dir(vdir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(vdir), "."+filepath.Base(vdir)+".*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	mod := filepath.Join(tmp, "go.mod")
	if err := os.WriteFile(mod, data, 0o644); err != nil {
		return err
	}
	// Let the go command add the indirect requirements and go.sum lines of
	// what is actually built.
	args := append([]string{"list", "-modfile=" + mod, "-mod=mod", "-deps", "-test"}, builtPackages...)
	if _, err := goCmd(root, args...); err != nil {
		return fmt.Errorf("gRPC-Go %s: %w", v, err)
	}
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(vdir, name)); err != nil {
			return err
		}
	}
	return nil
}

func mainModulePath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	path := modfile.ModulePath(data)
	if path == "" {
		return "", fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
	}
	return path, nil
}

// releaseGoLine returns the go line of gRPC-Go v's own go.mod.
func releaseGoLine(v string) (string, error) {
	out, err := goCmd("", "mod", "download", "-json", GRPCModule+"@"+v)
	if err != nil {
		return "", err
	}
	var m struct{ GoMod string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	data, err := os.ReadFile(m.GoMod)
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax(m.GoMod, data, nil)
	if err != nil {
		return "", err
	}
	if f.Go == nil {
		return goFloor, nil
	}
	return f.Go.Version, nil
}
