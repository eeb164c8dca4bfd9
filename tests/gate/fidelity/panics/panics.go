// Package panics has a test that panics in a subtest.
package panics
