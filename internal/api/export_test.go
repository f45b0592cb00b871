package api

// Routes returns Patterns and which of them need no sign-in, for the tests
// that hold the route table against openapi.json.
func Routes() (all []string, public map[string]bool) {
	public = map[string]bool{}
	for _, rt := range routes {
		if rt.public {
			public[rt.method+" "+rt.pattern] = true
		}
	}
	return Patterns(), public
}

// Codes returns the kind-to-status table.
func Codes() map[string]int { return codes }
