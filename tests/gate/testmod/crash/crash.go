// Package crash has a test that panics, killing its test binary.
package crash
