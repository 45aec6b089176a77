// Command electionbot is a chat bot for the election of village and
// neighbourhood heads in Vietnam. See README.md and docs/design.md; the
// commands are in package cli.
package main

import (
	"context"
	"os"

	"electionbot/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, cli.Environ()))
}
