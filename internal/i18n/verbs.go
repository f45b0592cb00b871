package i18n

import (
	"fmt"
	"strconv"
	"strings"
)

// token is a piece of message text: literal text, a printf verb such as
// "%s" or "%[2]s" (arg > 0), or a literal "%%" (arg 0, verb '%').
type token struct {
	text string
	arg  int  // 1-based argument the verb formats; 0 for literal text and %%
	verb byte // 's', 'd', 'v', '%', or 0 for literal text
}

// verbChars are the verbs a message may use. Keeping the set small catches
// translation slips such as a bare "100 %" (which must be "100 %%").
const verbChars = "sdv"

// scan splits s into literal text and printf verbs, numbering arguments as
// fmt does: a verb takes the next argument, and %[n] resets the count to n.
func scan(s string) ([]token, error) {
	var toks []token
	next := 1
	for len(s) > 0 {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			toks = append(toks, token{text: s})
			break
		}
		if i > 0 {
			toks = append(toks, token{text: s[:i]})
		}
		s = s[i:]
		if strings.HasPrefix(s, "%%") {
			toks = append(toks, token{text: "%%", verb: '%'})
			s = s[2:]
			continue
		}
		n := 1 // length of the verb so far
		arg := next
		if strings.HasPrefix(s[1:], "[") {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("verb %q: missing ']'", s)
			}
			k, err := strconv.Atoi(s[2:end])
			if err != nil || k < 1 || strconv.Itoa(k) != s[2:end] {
				return nil, fmt.Errorf("verb %q: bad argument index", s[:end+1])
			}
			arg, n = k, end+1
		}
		if n >= len(s) || strings.IndexByte(verbChars, s[n]) < 0 {
			return nil, fmt.Errorf("bad verb in %q: use %%s, %%d, %%v, %%[n]s or %%%% for a percent sign", s)
		}
		toks = append(toks, token{text: s[:n+1], arg: arg, verb: s[n]})
		next = arg + 1
		s = s[n+1:]
	}
	return toks, nil
}
