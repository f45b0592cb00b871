package web

// Patterns lists the patterns of every route, for the matrix test.
func (s *Server) Patterns() []string {
	var out []string
	for _, r := range s.routeTable() {
		out = append(out, r.pattern)
	}
	return out
}
