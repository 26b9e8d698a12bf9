#!/usr/bin/env bash
# Runs the dnssim tests against gRPC-Go releases (default: v1.30.0 v1.55.1
# v1.85.0) through copies of their module files in versions/ with
# github.com/miekg/dns added (the tracked files lack it). Extra arguments go
# to go test, e.g. -count=5 -race.
#
#   netsim/dnssim/releases.sh [-v RELEASES] [go test flags]
set -euo pipefail
cd "$(dirname "$0")/../.."
releases="v1.30.0 v1.55.1 v1.85.0"
status=0
if [ "${1:-}" = "-v" ]; then releases=$2; shift 2; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in $releases; do
	mkdir -p "$tmp/$v"
	cp "versions/$v/go.mod" "versions/$v/go.sum" "$tmp/$v/"
	# v1.1.15's go.mod requires nothing, so adding it moves no other module
	# (x/net and x/sys stay as the release had them).
	go get -modfile="$tmp/$v/go.mod" github.com/miekg/dns@v1.1.15 >/dev/null 2>&1
	# v1.51.0's x/net (2022-07-22) links to syscall.recvmsg through
	# go:linkname, in the x/net/internal/socket that miekg/dns pulls in,
	# which the linker of Go 1.23 and later refuses.
	ldflags=
	if [ "$v" = v1.51.0 ]; then ldflags=-ldflags=-checklinkname=0; fi
	echo "== $v"
	go test -modfile="$tmp/$v/go.mod" $ldflags -count=1 -v "$@" ./netsim/dnssim/ >"$tmp/$v.out" 2>&1 || status=1
	grep -E '^(--- |    --- |    move_test|ok|FAIL|panic|fatal)' "$tmp/$v.out" || cat "$tmp/$v.out"
done
exit $status
