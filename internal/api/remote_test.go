package api

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8,::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		remote  string
		xff     []string
		trusted bool
		want    string
	}{
		{"no proxies configured: header ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, false, "203.0.113.9"},
		{"untrusted peer: header ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, true, "203.0.113.9"},
		{"trusted peer, one hop", "127.0.0.1:5000", []string{"198.51.100.1"}, true, "198.51.100.1"},
		{"client-written hops on the left are skipped", "127.0.0.1:5000", []string{"1.2.3.4, 198.51.100.1"}, true, "198.51.100.1"},
		{"chain of trusted proxies", "127.0.0.1:5000", []string{"198.51.100.1, 10.1.2.3"}, true, "198.51.100.1"},
		{"several header lines", "10.0.0.5:5000", []string{"198.51.100.7", "10.9.9.9"}, true, "198.51.100.7"},
		{"trusted peer without the header", "127.0.0.1:5000", nil, true, "127.0.0.1"},
		{"malformed hop stops the walk", "127.0.0.1:5000", []string{"198.51.100.1, garbage"}, true, "127.0.0.1"},
		{"IPv6 loopback proxy", "[::1]:5000", []string{"2001:db8::7"}, true, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.1]:5000", []string{"198.51.100.2"}, true, "198.51.100.2"},
		{"all hops trusted: the leftmost", "127.0.0.1:5000", []string{"10.0.0.2, 10.0.0.3"}, true, "10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			var tr = trusted
			if !tc.trusted {
				tr = nil
			}
			if got := clientAddr(r, tr); got != tc.want {
				t.Errorf("clientAddr = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		fail bool
	}{
		{"", 0, false},
		{"127.0.0.1", 1, false},
		{"10.0.0.0/8, 192.168.1.1 ,fd00::/8", 3, false},
		{"10.0.0.0/33", 0, true},
		{"proxy.local", 0, true},
	} {
		got, err := ParseTrustedProxies(tc.in)
		if (err != nil) != tc.fail || len(got) != tc.n {
			t.Errorf("ParseTrustedProxies(%q) = %v, %v", tc.in, got, err)
		}
	}
}
