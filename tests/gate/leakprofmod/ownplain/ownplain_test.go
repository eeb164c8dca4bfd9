package ownplain

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(m.Run()) }

func TestWait(t *testing.T) { Wait() }
