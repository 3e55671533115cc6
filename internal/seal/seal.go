// Package seal encrypts sensitive fields at rest (identity numbers,
// special-care details) and computes keyed lookup indexes for them, so that a
// stored value can be found and de-duplicated without being decrypted.
//
// A sealed value is text:
//
//	v1.<key id>.<base64url, no padding, of nonce || ciphertext>
//
// where the ciphertext is AES-256-GCM output (with a random 12-byte nonce and
// the caller's context, such as "person.id_number", as additional
// authenticated data) followed by a 16-byte HMAC-SHA256 tag over nonce and
// GCM output. The GCM tag binds the value to its context, so a value copied
// to another column does not open; the outer tag does not depend on the
// context, which lets Open tell a damaged value (ErrTampered) from one opened
// with the wrong context (ErrContext).
//
// The key file <dataDir>/field.key is created with mode 0600 and must stay
// readable only by the service account; the package does not check its
// permissions. It must be backed up with the database: without it sealed
// fields cannot be read.
package seal

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EnvKey is the environment variable that, when set, holds the field key:
// base64 (standard encoding) of 64 random bytes, the first 32 for encryption
// and the last 32 for indexes.
const EnvKey = "GRIDWORK_FIELD_KEY"

// KeyFile is the name of the key file inside the data directory.
const KeyFile = "field.key"

// MaterialSize is the number of bytes of key material: 32 for AES-256-GCM
// and 32 for HMAC-SHA256.
const MaterialSize = 64

const (
	version   = "v1"
	nonceSize = 12
	gcmTag    = 16
	outerTag  = 16
	fileNote  = "# gridwork field key: back this file up; without it encrypted fields cannot be read"
)

// Errors Open returns, wrapped with detail; test them with errors.Is.
var (
	// ErrFormat means the text is not a sealed value of a known version.
	ErrFormat = errors.New("not a sealed value")
	// ErrKeyID means the value was sealed with another key.
	ErrKeyID = errors.New("sealed with a different key")
	// ErrTampered means the value was changed or damaged after sealing.
	ErrTampered = errors.New("sealed value is damaged or was altered")
	// ErrContext means the value is intact but was sealed for another context
	// (for example it was copied from another column).
	ErrContext = errors.New("sealed value belongs to a different context")
)

// Keys holds one field key: its id, the AES-256-GCM key and the HMAC-SHA256
// index key. A *Keys is safe for concurrent use. It never prints its key
// material (see String).
type Keys struct {
	id    string
	aead  cipher.AEAD
	index []byte // HMAC key of Index
	outer []byte // HMAC key of the outer tag, derived from index
}

// New builds Keys from a key id and 64 bytes of key material (the first 32
// for encryption, the last 32 for indexes). The id may hold 1 to 32 letters,
// digits, '-' and '_'. It returns an error if the id or the length of the
// material is wrong; the error never contains the material.
func New(id string, material []byte) (*Keys, error) {
	if !validID(id) {
		return nil, fmt.Errorf("seal: key id must be 1 to 32 letters, digits, '-' or '_'")
	}
	if len(material) != MaterialSize {
		return nil, fmt.Errorf("seal: key material has %d bytes; want %d", len(material), MaterialSize)
	}
	block, err := aes.NewCipher(material[:32])
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	index := bytes.Clone(material[32:])
	// The outer-tag key is derived so that it never equals the index key. The
	// label has no NUL byte, and every Index input has one, so no Index
	// result can equal this derivation.
	m := hmac.New(sha256.New, index)
	m.Write([]byte("gridwork seal v1 outer tag key"))
	return &Keys{id: id, aead: aead, index: index, outer: m.Sum(nil)}, nil
}

// Load returns the field key. If the environment variable GRIDWORK_FIELD_KEY
// is set, it is used (surrounding white space ignored) and its key id is the
// first 8 hex characters of SHA-256 over a label and the material, so the same
// value always has the same id. Otherwise Load reads <dataDir>/field.key,
// creating it with a new random key (and dataDir with mode 0700) if it does
// not exist.
//
// Errors: a malformed GRIDWORK_FIELD_KEY (set but empty, not base64, not 64
// bytes) is an error naming the variable but never showing its value; an
// unreadable, unwritable or malformed key file is an error naming its path.
func Load(dataDir string) (*Keys, error) {
	if v, ok := os.LookupEnv(EnvKey); ok {
		return fromEnv(v)
	}
	if dataDir == "" {
		return nil, fmt.Errorf("seal: no data directory for %s (and %s is not set)", KeyFile, EnvKey)
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		return parseFile(path, b)
	case errors.Is(err, fs.ErrNotExist):
		return create(dataDir, path)
	default:
		return nil, fmt.Errorf("seal: read key file: %w", err) // *PathError names the path
	}
}

func fromEnv(v string) (*Keys, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, fmt.Errorf("seal: %s is set but empty; unset it to use the key file, or set it to base64 of %d random bytes", EnvKey, MaterialSize)
	}
	material, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("seal: %s is not valid base64 (standard encoding)", EnvKey)
	}
	if len(material) != MaterialSize {
		return nil, fmt.Errorf("seal: %s decodes to %d bytes; want %d", EnvKey, len(material), MaterialSize)
	}
	sum := sha256.Sum256(append([]byte("gridwork field key id\x00"), material...))
	k, err := New(hex.EncodeToString(sum[:4]), material)
	if err != nil {
		return nil, fmt.Errorf("seal: %s: %w", EnvKey, err)
	}
	return k, nil
}

// parseFile reads the key file format: '#' comments, blank lines, and the
// lines id=<key id> and key=<base64 of 64 bytes>, each exactly once.
func parseFile(path string, b []byte) (*Keys, error) {
	var id, key string
	var haveID, haveKey bool
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, value, ok := strings.Cut(text, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok:
			return nil, fmt.Errorf("seal: key file %s: line %d is not name=value", path, line)
		case name == "id" && !haveID:
			id, haveID = value, true
		case name == "key" && !haveKey:
			key, haveKey = value, true
		case name == "id" || name == "key":
			return nil, fmt.Errorf("seal: key file %s: line %d repeats %q", path, line, name)
		default:
			return nil, fmt.Errorf("seal: key file %s: line %d has an unknown name; want id= and key=", path, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if !haveID || !haveKey {
		return nil, fmt.Errorf("seal: key file %s: needs both an id= and a key= line", path)
	}
	if !validID(id) {
		return nil, fmt.Errorf("seal: key file %s: id must be 1 to 32 letters, digits, '-' or '_'", path)
	}
	material, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: key is not valid base64 (standard encoding)", path)
	}
	if len(material) != MaterialSize {
		return nil, fmt.Errorf("seal: key file %s: key decodes to %d bytes; want %d", path, len(material), MaterialSize)
	}
	k, err := New(id, material)
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return k, nil
}

// create writes a new key file atomically. It links the finished temporary
// file into place, so that if another process created the file first, that
// file wins and is read instead of being replaced; where hard links are not
// supported it falls back to a rename.
func create(dataDir, path string) (*Keys, error) {
	material := make([]byte, MaterialSize)
	rand.Read(material) // never fails; crashes the program if the system has no randomness
	idb := make([]byte, 4)
	rand.Read(idb)
	id := hex.EncodeToString(idb)
	k, err := New(id, material)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("%s\nid=%s\nkey=%s\n", fileNote, id, base64.StdEncoding.EncodeToString(material))

	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("seal: create key file: %w", err)
	}
	tmp, err := os.CreateTemp(dataDir, "."+KeyFile+".*.tmp") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("seal: create key file in %s: %w", dataDir, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after a link or rename this is a no-op or drops the extra name
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("seal: create key file %s: %w", path, err)
	}
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("seal: write key file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("seal: write key file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("seal: write key file %s: %w", path, err)
	}
	switch err := os.Link(tmpName, path); {
	case err == nil:
	case errors.Is(err, fs.ErrExist):
		// Another process created the key first: use its key.
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("seal: read key file: %w", err)
		}
		return parseFile(path, b)
	default:
		if err := os.Rename(tmpName, path); err != nil {
			return nil, fmt.Errorf("seal: create key file %s: %w", path, err)
		}
	}
	syncDir(dataDir)
	return k, nil
}

// syncDir makes a new directory entry durable where the system supports it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// ID returns the key id written into every value the key seals.
func (k *Keys) ID() string { return k.id }

// String returns "seal.Keys(<id>)", never the key material.
func (k *Keys) String() string { return "seal.Keys(" + k.id + ")" }

// GoString is String, so %#v does not print key material either.
func (k *Keys) GoString() string { return k.String() }

// Seal encrypts plaintext for the given context (for example
// "person.id_number"); the same context must be given to Open. An empty
// plaintext seals to "", so an absent value stays absent. Each call uses a
// fresh random nonce, so sealing the same value twice gives different texts;
// use Index to compare values. The error is always nil today; it exists for
// future key sources.
func (k *Keys) Seal(plaintext, context string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	buf := make([]byte, nonceSize, nonceSize+len(plaintext)+gcmTag+outerTag)
	rand.Read(buf) // never fails; crashes the program if the system has no randomness
	buf = k.aead.Seal(buf, buf[:nonceSize], []byte(plaintext), []byte(context))
	buf = append(buf, k.tag(buf)...)
	return version + "." + k.id + "." + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open decrypts a value made by Seal with the same context. "" opens to "".
// Errors (never containing plaintext) wrap ErrFormat for text that is not a
// sealed value, ErrKeyID for a value sealed with another key, ErrTampered for
// a damaged or altered value, and ErrContext for an intact value sealed for a
// different context.
func (k *Keys) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	ver, rest, ok1 := strings.Cut(sealed, ".")
	id, data, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return "", fmt.Errorf("seal: %w (want %s.<key id>.<data>)", ErrFormat, version)
	}
	if ver != version {
		return "", fmt.Errorf("seal: %w: unknown format version", ErrFormat)
	}
	if id != k.id {
		if validID(id) {
			return "", fmt.Errorf("seal: %w: value needs key %q, loaded key is %q", ErrKeyID, id, k.id)
		}
		return "", fmt.Errorf("seal: %w: malformed key id", ErrFormat)
	}
	buf, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		return "", fmt.Errorf("seal: %w: data is not base64url", ErrFormat)
	}
	if len(buf) < nonceSize+gcmTag+outerTag {
		return "", fmt.Errorf("seal: %w: data too short", ErrFormat)
	}
	body, tag := buf[:len(buf)-outerTag], buf[len(buf)-outerTag:]
	if !hmac.Equal(tag, k.tag(body)) {
		return "", fmt.Errorf("seal: %w", ErrTampered)
	}
	plain, err := k.aead.Open(nil, body[:nonceSize], body[nonceSize:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("seal: open for %q: %w", context, ErrContext)
	}
	return string(plain), nil
}

// tag is the outer, context-free integrity tag over nonce || GCM output.
func (k *Keys) tag(body []byte) []byte {
	m := hmac.New(sha256.New, k.outer)
	m.Write(body)
	return m.Sum(nil)[:outerTag]
}

// Index returns hex HMAC-SHA256 over context + "\x00" + value: the same value
// and context always give the same 64-character string and different contexts
// give different ones, so it serves exact lookup and duplicate detection
// without decrypting. Normalise the value first (for example with
// idnum.Parse) and skip empty values: Index("ctx", "") is an ordinary hash.
// Indexes change with the key. Index does not fail.
func (k *Keys) Index(context, value string) string {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
