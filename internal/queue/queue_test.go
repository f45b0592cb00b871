package queue_test

import (
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/queue"
)

func TestOneLine(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct {
		name, in, want string
	}{
		{"OK", "jobs: data rights are not wired in on this node", "jobs: data rights are not wired in on this node"},
		{"FirstLineOnly", "store: erase 0192: deadlock\ngoroutine 7 [running]:\nmain.go:12", "store: erase 0192: deadlock"},
		{"ControlCharacters", "a\tb\x1b[31mc\r", "a b [31mc"},
		{"Cut", long, strings.Repeat("é", queue.MaxErrorChars-1) + "…"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := queue.OneLine(tt.in); got != tt.want {
				t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if n := len([]rune(queue.OneLine(tt.in))); n > queue.MaxErrorChars {
				t.Errorf("%d characters, want at most %d", n, queue.MaxErrorChars)
			}
		})
	}
}
