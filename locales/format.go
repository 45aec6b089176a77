package locales

import (
	"math"
	"strconv"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// The one place numbers, percentages and weekdays are written for a
// reader: the conversation, the reminders, the results page and the
// command line all format through these, so "1.452" and "80,1" read the
// same everywhere (Vietnamese groups thousands with "." and writes the
// decimal mark as ",").

// printers share x/text's CLDR data; a Printer is safe for concurrent use
// (each call takes its own state from a pool).
var printers = map[string]*message.Printer{
	"vi": message.NewPrinter(language.Vietnamese),
	"en": message.NewPrinter(language.English),
}

func printer(lang string) *message.Printer {
	if p := printers[lang]; p != nil {
		return p
	}
	return printers[Languages[0]]
}

// Number writes n with lang's digit grouping: vi "1.452", en "1,452".
func Number(lang string, n int) string { return printer(lang).Sprint(n) }

// Percent writes n/of × 100 with one decimal and lang's decimal mark:
// vi "80,1", en "80.1"; "0" when of is not positive.
func Percent(lang string, n, of int) string {
	if of <= 0 {
		return "0"
	}
	return Decimal(lang, float64(n)*100/float64(of), 1)
}

// Decimal writes f with the given number of decimals and lang's marks.
func Decimal(lang string, f float64, decimals int) string {
	return printer(lang).Sprint(number.Decimal(f, number.Scale(decimals)))
}

// DecimalUpTo writes f with at most the given number of decimals, trailing
// zeros dropped: vi "98,12", "50"; en "98.12". f is rounded half away from
// zero first, as a reader rounds.
func DecimalUpTo(lang string, f float64, decimals int) string {
	scale := math.Pow(10, float64(decimals))
	f = math.Round(f*scale) / scale
	return printer(lang).Sprint(number.Decimal(f, number.MaxFractionDigits(decimals)))
}

// Weekday names d in lang as the catalogs write it in a date ("Chủ nhật",
// "Thứ Hai"; "Sunday"): the messages weekday_0 … weekday_6.
func (l *Localizers) Weekday(lang string, d time.Weekday) string {
	s, _ := l.Localize(lang, "weekday_"+strconv.Itoa(int(d)), nil)
	return s
}
