package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"electionbot/bot"
	"electionbot/sheets"
)

const templatesHelp = `Writes the templates an official fills in, with Vietnamese headers, a
sample row and a sheet "Hướng dẫn" explaining each column:
  mau_danh_sach_cu_tri.xlsx  a voter list   (electionbot import voters)
  mau_danh_sach_khu.xlsx     an areas table (electionbot import areas)
  mau_cuoc_bau.yaml          an election file (electionbot load)
The same files are sent in chat by /maufile. No database is used.
`

func init() {
	register(&command{name: "templates", synopsis: "--out DIR",
		summary: "the voter list, areas table and election file templates to fill in", help: templatesHelp,
		run: func(_ context.Context, _ *Config, args []string, std stdio) error {
			return cmdTemplates(args, std.out)
		}})
}

// cmdTemplates writes the templates into --out (created if missing) and
// prints each file's path.
func cmdTemplates(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("templates", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "directory to write the templates into (required)")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if *out == "" {
		return usageErr("templates needs --out DIR")
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	ts, err := sheets.Templates()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", *out, err)
	}
	for _, t := range ts {
		path := filepath.Join(*out, t.Name)
		if err := os.WriteFile(path, t.Data, 0o644); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
		fmt.Fprintln(stdout, path)
	}
	return nil
}

// templateDocuments are the templates as the documents /maufile sends.
func templateDocuments() ([]bot.Document, error) {
	ts, err := sheets.Templates()
	if err != nil {
		return nil, err
	}
	docs := make([]bot.Document, len(ts))
	for i, t := range ts {
		docs[i] = bot.Document{Name: t.Name, MIME: t.MIME, Data: t.Data}
	}
	return docs, nil
}
