//go:build go1.25

// synctest needs the timer channels of Go 1.23 and later, which a module
// file with an older go line would turn off; the per-release module files
// in versions/ keep old go lines so that old toolchains can build them.
//go:debug asynctimerchan=0

package bench
