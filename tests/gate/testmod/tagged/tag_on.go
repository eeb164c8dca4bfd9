//go:build cftag

package tagged

const tagged = true
