package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// material returns 64 bytes of test key material starting at b.
func material(b byte) []byte {
	m := make([]byte, MaterialSize)
	for i := range m {
		m[i] = b + byte(i)
	}
	return m
}

func testKeys(t *testing.T, id string, b byte) *Keys {
	t.Helper()
	k, err := New(id, material(b))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var sealedForm = regexp.MustCompile(`^v1\.[0-9A-Za-z_-]+\.[0-9A-Za-z_-]+$`)

func TestSealOpenRoundTrip(t *testing.T) {
	k := testKeys(t, "k1", 1)
	tests := []struct {
		name, plain, context string
	}{
		{"identity number", "11010519491231002X", "person.id_number"},
		{"Chinese text", "独居老人，患有糖尿病，每周探访两次。", "care.details"},
		{"one byte", "x", "c"},
		{"empty context", "secret", ""},
		{"long", strings.Repeat("网格", 5000), "care.details"},
		{"bytes that are not UTF-8", "\xff\x00\xfe", "person.note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := k.Seal(tt.plain, tt.context)
			if err != nil {
				t.Fatal(err)
			}
			if !sealedForm.MatchString(s) || !strings.HasPrefix(s, "v1.k1.") {
				t.Fatalf("sealed text %q is not v1.k1.<base64url>", s)
			}
			if len(tt.plain) > 4 && strings.Contains(s, tt.plain) { // short texts may occur in base64 by chance
				t.Fatalf("sealed text contains the plaintext")
			}
			got, err := k.Open(s, tt.context)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.plain {
				t.Errorf("Open = %q, want %q", got, tt.plain)
			}
			again, _ := k.Seal(tt.plain, tt.context)
			if again == s {
				t.Errorf("sealing twice gave the same text; the nonce must be random")
			}
		})
	}
}

func TestEmptyStaysEmpty(t *testing.T) {
	k := testKeys(t, "k1", 1)
	s, err := k.Seal("", "person.id_number")
	if err != nil || s != "" {
		t.Errorf(`Seal("") = %q, %v; want "", nil`, s, err)
	}
	p, err := k.Open("", "person.id_number")
	if err != nil || p != "" {
		t.Errorf(`Open("") = %q, %v; want "", nil`, p, err)
	}
}

func TestOpenErrors(t *testing.T) {
	const plain, ctx = "11010519491231002X", "person.id_number"
	k := testKeys(t, "k1", 1)
	good, err := k.Seal(plain, ctx)
	if err != nil {
		t.Fatal(err)
	}
	other := testKeys(t, "k2", 99)
	fromOther, _ := other.Seal(plain, ctx)
	sameIDOtherKey := testKeys(t, "k1", 99)
	fromImpostor, _ := sameIDOtherKey.Seal(plain, ctx)

	data := good[len("v1.k1."):]
	raw, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return "v1.k1." + base64.RawURLEncoding.EncodeToString(b)
	}

	tests := []struct {
		name, sealed, context string
		want                  error
	}{
		{"plaintext stored by mistake", plain, ctx, ErrFormat},
		{"two parts", "v1.k1", ctx, ErrFormat},
		{"unknown version", "v2.k1." + data, ctx, ErrFormat},
		{"malformed key id", "v1.k 1." + data, ctx, ErrFormat},
		{"not base64url", "v1.k1." + data + "!", ctx, ErrFormat},
		{"padded base64", "v1.k1." + data + "=", ctx, ErrFormat},
		{"too short", "v1.k1.AAAA", ctx, ErrFormat},
		{"other key id", fromOther, ctx, ErrKeyID},
		{"same id, different key", fromImpostor, ctx, ErrTampered},
		{"flipped nonce byte", flip(0), ctx, ErrTampered},
		{"flipped ciphertext byte", flip(nonceSize + 3), ctx, ErrTampered},
		{"flipped GCM tag byte", flip(len(raw) - outerTag - 1), ctx, ErrTampered},
		{"flipped outer tag byte", flip(len(raw) - 1), ctx, ErrTampered},
		{"truncated", "v1.k1." + base64.RawURLEncoding.EncodeToString(raw[:len(raw)-1]), ctx, ErrTampered},
		{"wrong context", good, "person.phone", ErrContext},
		{"empty context", good, "", ErrContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Open(tt.sealed, tt.context)
			if err == nil {
				t.Fatalf("Open = %q, want an error", got)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Open error %q, want %v", err, tt.want)
			}
			for _, e := range []error{ErrFormat, ErrKeyID, ErrTampered, ErrContext} {
				if e != tt.want && errors.Is(err, e) {
					t.Errorf("Open error %q also matches %v", err, e)
				}
			}
			if strings.Contains(err.Error(), plain) {
				t.Errorf("error %q contains the plaintext", err)
			}
			if got != "" {
				t.Errorf("Open returned %q with an error", got)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	k := testKeys(t, "k1", 1)
	same := testKeys(t, "other-id", 1)
	otherKey := testKeys(t, "k1", 2)
	a := k.Index("person.id_number", "11010519491231002X")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(a) {
		t.Fatalf("Index = %q, want 64 hex characters", a)
	}
	tests := []struct {
		name  string
		got   string
		equal bool
	}{
		{"same value and context", k.Index("person.id_number", "11010519491231002X"), true},
		{"same material, other id", same.Index("person.id_number", "11010519491231002X"), true},
		{"other context", k.Index("care.id_number", "11010519491231002X"), false},
		{"other value", k.Index("person.id_number", "110101200002290018"), false},
		{"other key", otherKey.Index("person.id_number", "11010519491231002X"), false},
		{"boundary moved into context", k.Index("person.id_number1", "1010519491231002X"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.got == a) != tt.equal {
				t.Errorf("Index = %q, reference %q, want equal=%v", tt.got, a, tt.equal)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		material []byte
		want     string
	}{
		{"short material", "k1", make([]byte, 32), "key material has 32 bytes; want 64"},
		{"long material", "k1", make([]byte, 65), "key material has 65 bytes; want 64"},
		{"empty id", "", material(1), "key id must be"},
		{"dot in id", "a.b", material(1), "key id must be"},
		{"long id", strings.Repeat("a", 33), material(1), "key id must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.id, tt.material)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestKeysDoNotPrintMaterial(t *testing.T) {
	k := testKeys(t, "k1", 0x41) // material is printable: "ABCD..."
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(verb, k)
		if got != "seal.Keys(k1)" {
			t.Errorf("Sprintf(%s) = %q", verb, got)
		}
	}
}

func TestLoadCreatesFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	os.Unsetenv(EnvKey) // t.Setenv restores the outer value after the test
	dir := filepath.Join(t.TempDir(), "data", "nested")

	k1, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", di.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 ||
		lines[0] != "# gridwork field key: back this file up; without it encrypted fields cannot be read" ||
		!regexp.MustCompile(`^id=[0-9a-f]{8}$`).MatchString(lines[1]) ||
		!strings.HasPrefix(lines[2], "key=") {
		t.Errorf("key file:\n%s", b)
	}
	if lines[1] != "id="+k1.ID() {
		t.Errorf("file has %q, Load returned id %q", lines[1], k1.ID())
	}
	if m, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[2], "key=")); err != nil || len(m) != MaterialSize {
		t.Errorf("key line does not hold base64 of 64 bytes (%d bytes, %v)", len(m), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s (temp file left behind?)", len(entries), KeyFile)
	}

	k2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k2.ID() != k1.ID() {
		t.Errorf("second Load id %q, first %q", k2.ID(), k1.ID())
	}
	s, err := k1.Seal("户籍：北京市东城区", "person.address")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k2.Open(s, "person.address"); err != nil || got != "户籍：北京市东城区" {
		t.Errorf("second Load cannot open the first's value: %q, %v", got, err)
	}
	if k1.Index("c", "v") != k2.Index("c", "v") {
		t.Errorf("second Load gives other indexes")
	}

	other, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(s, "person.address"); !errors.Is(err, ErrKeyID) {
		t.Errorf("a fresh key opened another key's value: %v", err)
	}
}

func TestLoadFromEnv(t *testing.T) {
	m := material(7)
	t.Setenv(EnvKey, "  "+base64.StdEncoding.EncodeToString(m)+"\n")
	dir := t.TempDir()
	// A key file in dir that must be ignored.
	fileKey := testKeys(t, "filekey1", 50)
	writeKeyFile(t, dir, "id=filekey1\nkey="+base64.StdEncoding.EncodeToString(material(50))+"\n")

	k, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID() == "filekey1" || !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(k.ID()) {
		t.Errorf("env key id %q, want 8 hex characters derived from the key", k.ID())
	}
	direct := testKeys(t, k.ID(), 7)
	s, _ := direct.Seal("secret", "c")
	if got, err := k.Open(s, "c"); err != nil || got != "secret" {
		t.Errorf("env key does not hold the env material: %q, %v", got, err)
	}
	fs, _ := fileKey.Seal("secret", "c")
	if _, err := k.Open(fs, "c"); err == nil {
		t.Errorf("env key opened a value of the key file")
	}
	again, err := Load(t.TempDir())
	if err != nil || again.ID() != k.ID() {
		t.Errorf("same env value gave id %q (%v), want %q", again.ID(), err, k.ID())
	}
}

func TestLoadEnvErrors(t *testing.T) {
	secretish := base64.StdEncoding.EncodeToString(material(3)[:32])
	tests := []struct {
		name, value, want string
	}{
		{"empty", " ", "GRIDWORK_FIELD_KEY is set but empty"},
		{"not base64", "not base64 at all!!", "GRIDWORK_FIELD_KEY is not valid base64"},
		{"url encoding", strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 32))), "GRIDWORK_FIELD_KEY is not valid base64"},
		{"32 bytes", secretish, "GRIDWORK_FIELD_KEY decodes to 32 bytes; want 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvKey, tt.value)
			_, err := Load(t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
			if v := strings.TrimSpace(tt.value); v != "" && strings.Contains(err.Error(), v) {
				t.Errorf("error %q echoes the value", err)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(material(5))
	short := base64.StdEncoding.EncodeToString(material(5)[:40])
	tests := []struct {
		name, content, want string
	}{
		{"empty file", "", "needs both an id= and a key= line"},
		{"no key", "id=abcd1234\n", "needs both an id= and a key= line"},
		{"no id", "key=" + good + "\n", "needs both an id= and a key= line"},
		{"not name=value", "id=abcd1234\nkey " + strings.TrimRight(good, "=") + "\n", "line 2 is not name=value"},
		{"bare key material", "id=abcd1234\n" + good + "\n", "line 2 has an unknown name"},
		{"unknown name", "id=abcd1234\nkey=" + good + "\nmode=x\n", "line 3 has an unknown name"},
		{"repeated key", "id=abcd1234\nkey=" + good + "\nkey=" + good + "\n", `line 3 repeats "key"`},
		{"bad id", "id=ab.cd\nkey=" + good + "\n", "id must be 1 to 32 letters"},
		{"bad base64", "id=abcd1234\nkey=%%%\n", "key is not valid base64"},
		{"short key", "id=abcd1234\nkey=" + short + "\n", "key decodes to 40 bytes; want 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvKey, "")
			os.Unsetenv(EnvKey)
			dir := t.TempDir()
			path := writeKeyFile(t, dir, tt.content)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if strings.Contains(err.Error(), good) || strings.Contains(err.Error(), short) {
				t.Errorf("error %q echoes key material", err)
			}
		})
	}
}

func TestLoadFileWithCommentsAndCRLF(t *testing.T) {
	t.Setenv(EnvKey, "")
	os.Unsetenv(EnvKey)
	dir := t.TempDir()
	writeKeyFile(t, dir, "# a comment\r\n\r\n id = abcd1234 \r\nkey="+base64.StdEncoding.EncodeToString(material(5))+"\r\n")
	k, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID() != "abcd1234" {
		t.Errorf("id %q", k.ID())
	}
	want := testKeys(t, "abcd1234", 5)
	if k.Index("c", "v") != want.Index("c", "v") {
		t.Errorf("file key differs from its material")
	}
}

func TestLoadErrorsNamePath(t *testing.T) {
	t.Setenv(EnvKey, "")
	os.Unsetenv(EnvKey)
	// dataDir is a regular file: the key file can be neither read nor created.
	file := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(file)
	if err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("Load(%s) error = %v, want it to name the path", file, err)
	}
	if _, err := Load(""); err == nil {
		t.Errorf("Load(\"\") succeeded")
	}
}

func writeKeyFile(t *testing.T, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, KeyFile)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Processes starting together on a fresh data directory must all end up with
// the one key that is on disk, never with a key that another one replaced.
func TestLoadConcurrentCreate(t *testing.T) {
	t.Setenv(EnvKey, "")
	os.Unsetenv(EnvKey)
	dir := t.TempDir()
	const n = 8
	ids := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			k, err := Load(dir)
			if err != nil {
				errs <- err
				return
			}
			ids <- k.ID()
		}()
	}
	final, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		select {
		case err := <-errs:
			t.Error(err)
		case id := <-ids:
			if id != final.ID() {
				t.Errorf("a concurrent Load got key %q; the file holds %q", id, final.ID())
			}
		}
	}
}
