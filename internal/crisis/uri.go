package crisis

import (
	"net/url"
	"strings"
)

// The URIs built here contain only "tel:", "sms:", digits, a leading "+" and,
// after "?body=", a percent-escaped keyword. html/template replaces tel: and
// sms: links with "#ZgotmplZ" unless they are passed as template.URL, which
// is safe for these values.

// CallURI returns a tel: URI for the line's call number, or "" when the line
// has no call number or it cannot be dialled as written.
func (l Line) CallURI() string { return TelURI(l.Call) }

// TextURI returns an sms: URI for the line's text number, with the keyword
// prefilled as "?body=" (a form Android and iOS both accept), or "" when the
// line has no text number or it cannot be dialled as written.
func (l Line) TextURI() string { return SMSURI(l.Text, l.TextKeyword) }

// Numbers splits an emergency entry such as "112 or 999" into its numbers, so
// that each can have its own tap-to-call link.
func (n Number) Numbers() []string {
	var out []string
	for _, part := range strings.Split(n.Number, " or ") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// CallURI returns a tel: URI for the first of Numbers, or "" when there is
// none. Link each of Numbers with TelURI to offer them all.
func (n Number) CallURI() string {
	nums := n.Numbers()
	if len(nums) == 0 {
		return ""
	}
	return TelURI(nums[0])
}

// TelURI returns "tel:" and the digits of number (with its leading "+", if
// any), or "" when number is empty or holds anything other than digits,
// spaces, dashes, dots and brackets: dropping letters ("1-800-SUICIDE") or a
// second number would dial a wrong number.
func TelURI(number string) string {
	d, ok := dialable(number)
	if !ok {
		return ""
	}
	return "tel:" + d
}

// SMSURI returns "sms:" and the digits of number, with "?body=" and the
// escaped keyword when keyword is not empty, or "" when TelURI would be "".
func SMSURI(number, keyword string) string {
	d, ok := dialable(number)
	if !ok {
		return ""
	}
	uri := "sms:" + d
	if keyword = strings.TrimSpace(keyword); keyword != "" {
		// QueryEscape writes a space as "+", which messaging apps would send
		// literally; %20 is read as a space everywhere.
		uri += "?body=" + strings.ReplaceAll(url.QueryEscape(keyword), "+", "%20")
	}
	return uri
}

// isPhone reports whether s is one number as written locally.
func isPhone(s string) bool {
	_, ok := dialable(s)
	return ok
}

// dialable returns the digits of s, keeping a leading "+", when s has at least
// one digit and otherwise only spaces, dashes, dots and brackets.
func dialable(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		b.WriteByte('+')
		s = rest
	}
	digits := 0
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			b.WriteRune(r)
			digits++
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	return b.String(), digits > 0
}
