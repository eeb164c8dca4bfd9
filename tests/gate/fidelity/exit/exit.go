// Package exit has a test that calls os.Exit.
package exit
