package testenv

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMTPServer is a minimal SMTP server on 127.0.0.1, for tests: EHLO/HELO,
// optional AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, no TLS. It
// records each message it accepts, headers and body, and can be told to
// answer MAIL with a temporary (4xx) or permanent (5xx) refusal. Point
// Tend at it with URL() (smtp://127.0.0.1:port?starttls=none).
//
// It is safe for concurrent use.
type SMTPServer struct {
	Addr string // 127.0.0.1:port

	ln net.Listener
	wg sync.WaitGroup

	mu       sync.Mutex
	cond     *sync.Cond
	messages []SMTPMessage
	refuse   string // reply to MAIL instead of 250, when set
	user     string // required AUTH PLAIN user, when set
	password string
	delay    time.Duration // Slow
}

// SMTPMessage is one accepted message.
type SMTPMessage struct {
	From   string      // the MAIL FROM address
	To     []string    // the RCPT TO addresses
	Auth   string      // the user that authenticated, "" when none
	Header mail.Header // parsed headers
	Body   string      // the body after the headers, quoted-printable decoded
	Raw    string      // the whole DATA, dot-unstuffed
}

// NewSMTPServer starts a server, closed when the test ends.
func NewSMTPServer(t testing.TB) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), ln: ln}
	s.cond = sync.NewCond(&s.mu)
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

// URL is the TEND_SMTP_URL for this server.
func (s *SMTPServer) URL() string { return "smtp://" + s.Addr + "?starttls=none" }

// RequireAuth makes the server demand AUTH PLAIN with user and password.
func (s *SMTPServer) RequireAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.password = user, password
}

// Slow makes the server wait d before it accepts each message (its reply
// to the end of DATA) from now on, as a busy relay does (0: at once).
func (s *SMTPServer) Slow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Refuse makes the server answer MAIL FROM with reply, e.g. "451 4.3.0
// try later" or "550 5.7.1 no"; "" accepts again.
func (s *SMTPServer) Refuse(reply string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = reply
}

// Messages returns the messages accepted so far, in arrival order.
func (s *SMTPServer) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.messages...)
}

// WaitFor waits until at least n messages have been accepted, or fails the
// test after timeout, and returns them all.
func (s *SMTPServer) WaitFor(t testing.TB, n int, timeout time.Duration) []SMTPMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	stop := time.AfterFunc(timeout, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer stop.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.messages) < n {
		if !time.Now().Before(deadline) {
			t.Fatalf("smtp server: %d messages after %v, want %d", len(s.messages), timeout, n)
		}
		s.cond.Wait()
	}
	return append([]SMTPMessage(nil), s.messages...)
}

func (s *SMTPServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(time.Minute))
			s.session(textproto.NewConn(c))
		}()
	}
}

func (s *SMTPServer) session(c *textproto.Conn) {
	reply := func(format string, args ...any) bool { return c.PrintfLine(format, args...) == nil }
	if !reply("220 127.0.0.1 test SMTP ready") {
		return
	}
	var m SMTPMessage
	authed := ""
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		s.mu.Lock()
		needUser, needPass, refuse := s.user, s.password, s.refuse
		s.mu.Unlock()
		var ok bool
		switch strings.ToUpper(verb) {
		case "EHLO":
			ok = reply("250-127.0.0.1") && reply("250-8BITMIME") && reply("250-AUTH PLAIN") && reply("250 SMTPUTF8")
		case "HELO":
			ok = reply("250 127.0.0.1")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				ok = reply("504 5.5.4 only PLAIN")
				break
			}
			if resp == "" {
				if !reply("334 ") {
					return
				}
				if resp, err = c.ReadLine(); err != nil {
					return
				}
			}
			raw, _ := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 && (needUser == "" || (parts[1] == needUser && parts[2] == needPass)) {
				authed = parts[1]
				ok = reply("235 2.7.0 authenticated")
			} else {
				ok = reply("535 5.7.8 bad credentials")
			}
		case "MAIL":
			switch {
			case needUser != "" && authed == "":
				ok = reply("530 5.7.0 authentication required")
			case refuse != "":
				ok = reply("%s", refuse)
			default:
				m = SMTPMessage{From: pathArg(arg), Auth: authed}
				ok = reply("250 2.1.0 ok")
			}
		case "RCPT":
			if m.From == "" {
				ok = reply("503 5.5.1 MAIL first")
				break
			}
			m.To = append(m.To, pathArg(arg))
			ok = reply("250 2.1.5 ok")
		case "DATA":
			if len(m.To) == 0 {
				ok = reply("503 5.5.1 RCPT first")
				break
			}
			if !reply("354 end with <CRLF>.<CRLF>") {
				return
			}
			lines, err := c.ReadDotLines()
			if err != nil {
				return
			}
			m.Raw = strings.Join(lines, "\r\n") + "\r\n"
			msg, err := mail.ReadMessage(strings.NewReader(m.Raw))
			if err != nil {
				ok = reply("554 5.6.0 %v", err)
				break
			}
			m.Header = msg.Header
			var body strings.Builder
			r := io.Reader(msg.Body)
			if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				r = quotedprintable.NewReader(r)
			}
			_, _ = bufio.NewReader(r).WriteTo(&body)
			m.Body = body.String()
			s.mu.Lock()
			delay := s.delay
			s.mu.Unlock()
			time.Sleep(delay)
			s.mu.Lock()
			s.messages = append(s.messages, m)
			s.cond.Broadcast()
			s.mu.Unlock()
			m = SMTPMessage{}
			ok = reply("250 2.0.0 queued")
		case "RSET":
			m = SMTPMessage{}
			ok = reply("250 2.0.0 ok")
		case "NOOP":
			ok = reply("250 2.0.0 ok")
		case "QUIT":
			_ = reply("221 2.0.0 bye")
			return
		default:
			ok = reply("502 5.5.2 %s not implemented", fmt.Sprint(verb))
		}
		if !ok {
			return
		}
	}
}

// pathArg returns the address in "FROM:<a@b> SIZE=1" or "TO:<a@b>".
func pathArg(arg string) string {
	_, v, _ := strings.Cut(arg, ":")
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '>'); strings.HasPrefix(v, "<") && i > 0 {
		return v[1:i]
	}
	if i := strings.IndexByte(v, ' '); i > 0 {
		return v[:i]
	}
	return v
}
