// Package notests has no test files.
package notests

// Answer is 42.
const Answer = 42
