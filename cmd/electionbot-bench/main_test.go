package main

import (
	"errors"
	"io"
	"os"
	"testing"
)

func TestParseOptionsPerUpdate(t *testing.T) {
	env := func(string) string { return "postgres://bench" }
	// The default parts include rss, which needs a binary to run: any will do.
	o, err := parseOptions([]string{"--electionbot", os.Args[0]}, io.Discard, env)
	if err != nil {
		t.Fatal(err)
	}
	if !o.only["perupdate"] || o.perUpdates != 1000 || o.perRounds != 7 {
		t.Fatalf("defaults: perupdate %v, %d updates × %d rounds", o.only["perupdate"], o.perUpdates, o.perRounds)
	}
	o, err = parseOptions([]string{"--only", "perupdate", "--perupdate-updates", "300", "--perupdate-rounds", "3"}, io.Discard, env)
	if err != nil || len(o.only) != 1 || o.perUpdates != 300 || o.perRounds != 3 {
		t.Fatalf("%+v %v", o, err)
	}
	for _, args := range [][]string{{"--perupdate-updates", "3"}, {"--perupdate-rounds", "0"}} {
		if _, err := parseOptions(append([]string{"--only", "perupdate"}, args...), io.Discard, env); !errors.As(err, new(usageError)) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
