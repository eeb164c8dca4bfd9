// Package timeout has a test still running at -timeout.
package timeout
