// Package tagged has tests only under the cftag build tag.
package tagged

// Tagged reports whether the cftag build tag is set.
func Tagged() bool { return tagged }
