package zones

import (
	"strings"
	"time"
)

// Day is a calendar day, without time or zone: the unit at which the zonage in force
// is evaluated and arrêtés are dated. The zero Day means "no day". A Day is made by
// ParseDay or DayOf only, so an invalid date is refused where it enters and never
// turns silently into today.
type Day struct{ t time.Time }

// ParseDay reads a day written AAAA-MM-JJ. The error is an *InputError naming the
// field "date".
func ParseDay(s string) (Day, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Day{}, &InputError{Field: "date", Value: s, Reason: "attendu une date réelle écrite AAAA-MM-JJ (ex. 2025-11-01)"}
	}
	return Day{t}, nil
}

// DayOf is the calendar day of t in t's own location.
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// IsZero reports whether d is the zero Day.
func (d Day) IsZero() bool { return d.t.IsZero() }

// String writes the day as AAAA-MM-JJ, or "" for the zero Day.
func (d Day) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format("2006-01-02")
}

// French writes the day as JJ/MM/AAAA.
func (d Day) French() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format("02/01/2006")
}

// Time is midnight UTC of the day.
func (d Day) Time() time.Time { return d.t }

// AddYears is the same day n years later (29 February gives 1 March).
func (d Day) AddYears(n int) Day { return Day{d.t.AddDate(n, 0, 0)} }

// Before reports whether d is earlier than o.
func (d Day) Before(o Day) bool { return d.t.Before(o.t) }

// DaysSince counts the days from o to d (negative when o is later).
func (d Day) DaysSince(o Day) int { return int(d.t.Sub(o.t).Hours() / 24) }

// MarshalText writes the day as AAAA-MM-JJ.
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads AAAA-MM-JJ; an empty text is the zero Day.
func (d *Day) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Day{}
		return nil
	}
	v, err := ParseDay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
