// Package locales holds the bot's message catalogs: every text a user sees,
// in Vietnamese (the default) and English, as go-i18n YAML message files
// embedded in the binary: vi.yaml/en.yaml for the conversation and
// NAME.vi.yaml/NAME.en.yaml for a part of its own (tally, results, …).
// Every vi file has an en twin with the same keys (a test compares them).
package locales

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var files embed.FS

// Files are the embedded message files.
var Files = func() []string {
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		panic(err)
	}
	return names
}()

// Languages are the supported languages; the first is the default.
var Languages = []string{"vi", "en"}

// NewBundle loads the embedded catalogs into a bundle whose default
// language is Vietnamese.
func NewBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, f := range Files {
		if _, err := b.LoadMessageFileFS(files, f); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", f, err)
		}
	}
	return b, nil
}

// Localizers are the localizers of Languages on one bundle, with a
// default language for any other.
type Localizers struct {
	def  string
	locs map[string]*i18n.Localizer
}

// NewLocalizers makes the localizers of b; def (one of Languages) stands
// in for the languages that are not supported.
func NewLocalizers(b *i18n.Bundle, def string) *Localizers {
	l := &Localizers{def: def, locs: make(map[string]*i18n.Localizer, len(Languages))}
	for _, lang := range Languages {
		l.locs[lang] = i18n.NewLocalizer(b, lang)
	}
	return l
}

// Localizer is lang's localizer, or the default language's.
func (l *Localizers) Localizer(lang string) *i18n.Localizer {
	if loc := l.locs[lang]; loc != nil {
		return loc
	}
	return l.locs[l.def]
}

// Localize renders message id in lang with template data; on an error
// (a missing message, a broken template) it returns id and the error.
func (l *Localizers) Localize(lang, id string, data map[string]any) (string, error) {
	s, err := l.Localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id, err
	}
	return s, nil
}

// Keys returns the message ids of one embedded file (for tests comparing
// the catalogs).
func Keys(file string) ([]string, error) {
	buf, err := files.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := yaml.Unmarshal(buf, &m); err != nil {
		return nil, fmt.Errorf("locales: %s: %w", file, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys, nil
}
