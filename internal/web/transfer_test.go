package web_test

import (
	"net/url"
	"regexp"
	"testing"
)

// TestTransferPages: the admin hands Lee's therapy of sam to Priya; sam is
// told, with what Lee could see, and only sam's "yes" lets Priya see it.
func TestTransferPages(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	d.shareArea(t, "sam", "Lee", "journal", "see")
	priya := d.staffID(t, "priya@example.org")
	form := url.Values{"member_id": {d.memberID(t, "sam", "Lee")}, "staff_id": {priya}}
	if res := d.post(t, "lee@example.org", "/admin/care-teams/"+sam+"/transfer", form); res.Code != 403 {
		t.Errorf("lee hands over: %d, want 403", res.Code)
	}
	if res := d.post(t, "admin@example.org", "/admin/care-teams/"+sam+"/transfer", form); res.Code != 303 {
		t.Fatalf("admin hands over: %d\n%s", res.Code, res.Body.String())
	}
	if res := d.get(t, "priya@example.org", "/clinic/people/"+sam+"/journal"); res.Code == 200 {
		t.Error("priya reads sam's journal before sam agreed")
	}
	body := d.get(t, "sam", "/me").Body.String()
	mustContain(t, "sam's notices", body, "has taken over from Lee", "who could see your", "journal", "Yes, let them see the same")
	m := regexp.MustCompile(`action="(/me/notices/[0-9a-f-]{36}/keep-sharing)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no keep-sharing form\n%s", body)
	}
	if res := d.post(t, "alex", m[1], nil); res.Code != 404 {
		t.Errorf("alex answers sam's offer: %d", res.Code)
	}
	if res := d.post(t, "sam", m[1], nil); res.Code != 303 {
		t.Fatalf("sam says yes: %d", res.Code)
	}
	if res := d.get(t, "priya@example.org", "/clinic/people/"+sam+"/journal"); res.Code != 200 {
		t.Errorf("priya after sam agreed: %d", res.Code)
	}
	if res := d.get(t, "lee@example.org", "/clinic/people/"+sam+"/journal"); res.Code == 200 {
		t.Error("lee still reads sam's journal after handing over")
	}
}
