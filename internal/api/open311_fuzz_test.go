package api

import (
	"net/url"
	"testing"

	"gridwork/internal/apperr"
)

// FuzzOpen311Input: whatever a client posts, reading the form never
// panics, and it either gives a located event with a service code and a
// description or an EINVALID error naming GeoReport fields.
func FuzzOpen311Input(f *testing.F) {
	f.Add("service_code=event_garbage&lat=39.9&long=116.3&description=%E5%9E%83%E5%9C%BE&email=a%40b.c")
	f.Add("service_code=&lat=NaN&long=Inf&media_url=javascript:alert(1)")
	f.Add("lat=91&long=-181&description=x&first_name=" + string(make([]byte, 300)))
	f.Add("service_code=x&lat=1e400&long=0x10&description=%00")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, err := open311Input(form)
		if err != nil {
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || len(e.Fields) == 0 {
				t.Fatalf("error %v is not EINVALID with fields", err)
			}
			return
		}
		if in.CategoryCode == "" || in.Description == "" || in.Lat == nil || in.Lon == nil {
			t.Fatalf("accepted an incomplete request: %+v", in)
		}
		if *in.Lat < -90 || *in.Lat > 90 || *in.Lon < -180 || *in.Lon > 180 || *in.Lat != *in.Lat {
			t.Fatalf("accepted position %v, %v", *in.Lat, *in.Lon)
		}
	})
}
