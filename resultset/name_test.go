package resultset

import (
	"strings"
	"testing"
	"time"
)

func TestCellNameRoundTrip(t *testing.T) {
	for _, c := range []Cell{
		{"watcher", "crash", "idle", time.Second, 2 * time.Second, "dial", "passthrough", 1, "pick_first"},
		{"dialer", "blackhole", "stream", 30 * time.Second, 45 * time.Minute, "newclient", "passthrough", 1, "pick_first"},
		{"identity", "rotate", "rare", 5 * time.Minute, 0, "dial", "passthrough", 1, "pick_first"},
		{"a_b", "x-y", "1s", 1500 * time.Millisecond, 90 * time.Second, "c", "passthrough", 1, "pick_first"},
		{"a", "b", "c", 3*time.Hour + 7*time.Nanosecond, time.Microsecond, "d", "passthrough", 1, "pick_first"},
		{"watcher", "move", "busy", time.Second, 2 * time.Second, "dial", "dns", 1, "pick_first"},
		{"dialer", "rolling", "idle", time.Second, 2 * time.Second, "dial", "dns", 3, "round_robin"},
		{"a", "b", "c", time.Second, time.Second, "d", "e", 1 << 40, "f"},
	} {
		name := c.String()
		got, err := ParseCell(name)
		if err != nil || got != c {
			t.Errorf("ParseCell(%q) = %+v, %v; want %+v", name, got, err, c)
		}
		for _, form := range []string{"Benchmark" + name, name + "-2", "Benchmark" + name + "-16"} {
			if got, err := ParseCell(form); err != nil || got != c {
				t.Errorf("ParseCell(%q) = %+v, %v; want %+v", form, got, err, c)
			}
		}
	}
}

func TestCellName(t *testing.T) {
	for _, tc := range []struct {
		c                      Cell
		name, short, situation string
	}{
		{NewCell("watcher", "crash", "idle"), "Reconnect/strategy=watcher/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=passthrough/backends=1/policy=pick_first",
			"watcher crash idle", "crash/idle/downtime=1s/quiet=2s/dial/passthrough/backends=1/pick_first"},
		{Cell{"watcher", "rotate", "rare", 5 * time.Minute, 45 * time.Minute, "newclient", "passthrough", 1, "pick_first"},
			"Reconnect/strategy=watcher/fault=rotate/traffic=rare/downtime=5m0s/quiet=45m0s/client=newclient/resolver=passthrough/backends=1/policy=pick_first",
			"watcher rotate rare downtime=5m0s quiet=45m0s newclient", "rotate/rare/downtime=5m0s/quiet=45m0s/newclient/passthrough/backends=1/pick_first"},
		{Cell{"a", "b", "c", 30 * time.Second, 2 * time.Second, "dial", "passthrough", 1, "pick_first"},
			"Reconnect/strategy=a/fault=b/traffic=c/downtime=30s/quiet=2s/client=dial/resolver=passthrough/backends=1/policy=pick_first", "a b c downtime=30s", "b/c/downtime=30s/quiet=2s/dial/passthrough/backends=1/pick_first"},
		{Cell{"watcher", "move", "busy", time.Second, 2 * time.Second, "dial", "dns", 1, "pick_first"},
			"Reconnect/strategy=watcher/fault=move/traffic=busy/downtime=1s/quiet=2s/client=dial/resolver=dns/backends=1/policy=pick_first",
			"watcher move busy dns", "move/busy/downtime=1s/quiet=2s/dial/dns/backends=1/pick_first"},
		{Cell{"dialer", "rolling", "idle", time.Second, 2 * time.Second, "dial", "dns", 3, "round_robin"},
			"Reconnect/strategy=dialer/fault=rolling/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=dns/backends=3/policy=round_robin",
			"dialer rolling idle dns backends=3 round_robin", "rolling/idle/downtime=1s/quiet=2s/dial/dns/backends=3/round_robin"},
		// A quiet time of 30s reads differently from a downtime of 30s.
		{Cell{"a", "b", "c", time.Second, 30 * time.Second, "dial", "passthrough", 1, "pick_first"},
			"Reconnect/strategy=a/fault=b/traffic=c/downtime=1s/quiet=30s/client=dial/resolver=passthrough/backends=1/policy=pick_first", "a b c quiet=30s", "b/c/downtime=1s/quiet=30s/dial/passthrough/backends=1/pick_first"},
	} {
		if got := tc.c.String(); got != tc.name {
			t.Errorf("String() = %q, want %q", got, tc.name)
		}
		if got := tc.c.Short(); got != tc.short {
			t.Errorf("Short() = %q, want %q", got, tc.short)
		}
		if got := tc.c.Situation(); got != tc.situation {
			t.Errorf("Situation() = %q, want %q", got, tc.situation)
		}
	}
}

// TestParseCellOldNames reads names written before keys were renamed or
// added: the fault key was called scenario, and names before downtime,
// quiet and client were keys measured a downtime of 1s, a quiet time of
// 2s and grpc.Dial. They are written back with every key.
func TestParseCellOldNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Cell
	}{
		{"BenchmarkReconnect/strategy=dialer/scenario=crash/traffic=idle", NewCell("dialer", "crash", "idle")},
		{"Reconnect/strategy=dialer/fault=crash/traffic=idle", NewCell("dialer", "crash", "idle")},
		{"Reconnect/strategy=a/fault=b/traffic=c/quiet=45m0s", Cell{"a", "b", "c", time.Second, 45 * time.Minute, "dial", "passthrough", 1, "pick_first"}},
		{"Reconnect/strategy=a/fault=b/traffic=c/backends=3/resolver=dns", Cell{"a", "b", "c", time.Second, 2 * time.Second, "dial", "dns", 3, "pick_first"}},
		{"Reconnect/strategy=a/fault=b/traffic=c/client=newclient/downtime=30s", Cell{"a", "b", "c", 30 * time.Second, 2 * time.Second, "newclient", "passthrough", 1, "pick_first"}},
	} {
		got, err := ParseCell(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("ParseCell(%q) = %+v, %v; want %+v", tc.name, got, err, tc.want)
			continue
		}
		again, err := ParseCell(got.String())
		if err != nil || again != got || len(strings.Split(got.String(), "/")) != 1+len(CellKeys()) {
			t.Errorf("%q is written back as %q, which parses to %+v, %v", tc.name, got.String(), again, err)
		}
	}
}

func TestParseCellErrors(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Reconnect/strategy=a/fault=b", "lacks key traffic"},
		{"Reconnect/strategy=a/fault=b/traffic=c/colour=red", `unknown key "colour" (valid: strategy, fault, traffic, downtime, quiet, client, resolver, backends, policy)`},
		{"Reconnect/strategy=a/fault=b/traffic=c/downtime=60s", `key downtime: "60s": write the duration as 1m0s`},
		{"Reconnect/strategy=a/fault=b/traffic=c/quiet=1m", `key quiet: "1m": write the duration as 1m0s`},
		{"Reconnect/strategy=a/fault=b/traffic=c/downtime=soon", `key downtime: "soon" is not a duration such as 1s, 30s or 5m0s`},
		{"Reconnect/strategy=a/fault=b/traffic=c/quiet=", "key quiet has no value"},
		{"Reconnect/strategy=a/fault=b/traffic=c/backends=0", `key backends: "0" is not a count such as 1 or 3`},
		{"Reconnect/strategy=a/fault=b/traffic=c/backends=three", `key backends: "three" is not a count`},
		{"Reconnect/strategy=a/fault=b/traffic=c/backends=03", `key backends: "03": write the count as 3`},
		{"Reconnect/strategy=a/fault=b/traffic=c/backends=+3", `key backends: "+3": write the count as 3`},
		{"Reconnect/strategy=a/fault=b/traffic=c/resolver=", "key resolver has no value"},
		{"Reconnect/strategy=a/fault=b/traffic=c/client=x/client=y", "key client given twice"},
		{"Reconnect/strategy=a/fault=b/scenario=b/traffic=c", "key fault given twice"},
		{"Reconnect/strategy=/fault=b/traffic=c", "key strategy has no value"},
		{"Reconnect/strategy=a/crash/traffic=c", `part "crash" is not key=value`},
		{"Replay/strategy=a/mode=stream", "is not a reconnect cell"},
		{"", "has no base"},
	} {
		_, err := ParseCell(tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCell(%q) = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestCellCheck(t *testing.T) {
	for _, tc := range []struct {
		c    Cell
		want string // "" for a valid cell
	}{
		{NewCell("a", "b", "c"), ""},
		{NewCell("a", "b", ""), "traffic is empty"},
		{NewCell("a/b", "b", "c"), "strategy \"a/b\": a value of a benchmark name cannot hold a slash"},
		{NewCell("a", "b c", "c"), "cannot hold a slash or white space"},
		{NewCell("a", "b", "idle-2"), "cannot end in a hyphen and digits"},
		{Cell{Strategy: "a", Fault: "b", Traffic: "c", Downtime: time.Second, Resolver: "dns", Backends: 1, Policy: "p"}, "client is empty"},
		{Cell{Strategy: "a", Fault: "b", Traffic: "c", Client: "dial", Resolver: "dns", Backends: 1, Policy: "p"}, ""}, // zero durations are names too
		{Cell{Strategy: "a", Fault: "b", Traffic: "c", Client: "dial", Resolver: "dns", Policy: "p"}, `backends "0" is not a count`},
		{Cell{Strategy: "a", Fault: "b", Traffic: "c", Client: "dial", Resolver: "dns", Backends: -2, Policy: "p"}, `backends "-2": a value of a benchmark name cannot end in a hyphen and digits`},
		{Cell{Strategy: "a", Fault: "b", Traffic: "c", Client: "dial", Backends: 1, Policy: "p"}, "resolver is empty"},
	} {
		err := tc.c.Check()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v.Check() = %v, want %q", tc.c, err, tc.want)
		}
	}
}

func TestParseNameGOMAXPROCS(t *testing.T) {
	// testing.B appends GOMAXPROCS to a name; a hyphen of the name itself
	// stays.
	for in, want := range map[string]string{
		"BenchmarkTransport/net=netsim/load=log-2": "Transport/net=netsim/load=log",
		"BenchmarkTransport/net=netsim/load=log":   "Transport/net=netsim/load=log",
		"BenchmarkMatrix/fault=crash-graceful-16":  "Matrix/fault=crash-graceful",
		"BenchmarkMatrix/fault=crash-graceful":     "Matrix/fault=crash-graceful",
		"BenchmarkX-":                              "X-",
	} {
		n, err := ParseName(in)
		if err != nil || n.String() != want {
			t.Errorf("ParseName(%s) = %s, %v; want %s", in, n, err, want)
		}
	}
}

func TestParseName(t *testing.T) {
	n, err := ParseName("BenchmarkTransport/net=netsim/load=raw-2")
	if err != nil {
		t.Fatal(err)
	}
	if n.Base != Transport || n.Get("net") != "netsim" || n.Get("load") != "raw" || n.Get("mode") != "" {
		t.Errorf("ParseName = %+v", n)
	}
	if got := n.String(); got != "Transport/net=netsim/load=raw" {
		t.Errorf("String() = %q", got)
	}
	if got, want := n.BenchPattern(), "^BenchmarkTransport$/^net=netsim$/^load=raw$"; got != want {
		t.Errorf("BenchPattern() = %q, want %q", got, want)
	}
}

// FuzzCellName holds format and parse to being each other's inverse:
// every cell whose values a name can carry comes back from its name, and
// every name that parses comes back from the cell it parses to.
func FuzzCellName(f *testing.F) {
	f.Add("watcher", "crash", "idle", int64(time.Second), int64(2*time.Second), "dial", "Reconnect/strategy=watcher/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=dial")
	f.Add("a", "b", "c-1", int64(5*time.Minute), int64(45*time.Minute), "newclient", "BenchmarkReconnect/strategy=dialer/scenario=flap/traffic=busy-2")
	f.Add("a/b", " ", "", int64(-1), int64(0), "", "Reconnect/traffic=x/fault=y/strategy=z/quiet=1m30s")
	f.Add("a", "b", "c", int64(1), int64(1<<62), "d-2", "Reconnect/strategy=a/fault=b/traffic=c/downtime=90s")
	f.Add("a", "move", "dns", int64(3), int64(2*time.Second), "round_robin", "Reconnect/strategy=a/fault=rolling/traffic=c/resolver=dns/backends=3/policy=round_robin")
	f.Add("a", "b", "c", int64(4), int64(0), "d", "Reconnect/strategy=a/fault=b/traffic=c/backends=-1")
	f.Fuzz(func(t *testing.T, strategy, fault, traffic string, downtime, quiet int64, client, name string) {
		// The service keys come from the strings already fuzzed, and a
		// count from the downtime, so that the corpus stays as it was.
		c := Cell{Strategy: strategy, Fault: fault, Traffic: traffic, Downtime: time.Duration(downtime), Quiet: time.Duration(quiet), Client: client,
			Resolver: traffic, Backends: int(downtime % 5), Policy: client}
		if c.Check() == nil {
			got, err := ParseCell(c.String())
			if err != nil || got != c {
				t.Errorf("ParseCell(%q) = %+v, %v; want %+v", c.String(), got, err, c)
			}
		}
		parsed, err := ParseCell(name)
		if err != nil {
			return
		}
		if err := parsed.Check(); err != nil {
			t.Errorf("%q parsed to %+v, which no name can carry: %v", name, parsed, err)
		}
		again, err := ParseCell(parsed.String())
		if err != nil || again != parsed {
			t.Errorf("%q parsed to %+v, whose name %q parses to %+v, %v", name, parsed, parsed.String(), again, err)
		}
	})
}
