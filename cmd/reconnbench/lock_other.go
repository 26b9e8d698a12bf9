//go:build !unix

package main

// lockResults cannot lock a folder on this system: a second run into the
// same results folder is not stopped.
func lockResults(dir, what string) (release func(), err error) { return func() {}, nil }
