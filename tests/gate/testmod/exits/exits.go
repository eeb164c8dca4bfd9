// Package exits has a test that calls os.Exit: the test binary stops without writing its trace.
package exits
