// Package audit is gridwork's append-only, hash-chained log of every write:
// who did what to which entity, when, and its state before and after.
//
// Each row's hash covers its own contents and the previous row's hash, and
// the one-row table audit_head holds the newest seq and hash, so Verify can
// tell whether any row was altered, deleted (in the middle or from the end)
// or inserted, and names the first broken link. A chain without a secret key
// cannot stop someone who rewrites every row from the tampered one onwards
// together with the head; it makes any partial edit evident.
//
// Rows are appended inside the caller's transaction, so an audit row commits
// or rolls back together with the change it records.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gridwork/internal/apperr"
	"gridwork/internal/store"
)

// GenesisHash is the prev_hash of row 1, and the head's hash while the log is
// empty: 64 zeros.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// TimeLayout is the text form of Row.At: RFC 3339 in UTC with exactly six
// fractional digits, stored as TEXT so both engines give back the same text.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// Entry is one change to record.
type Entry struct {
	Actor    string // user id, or "system" / "cli:<user>"; required
	Action   string // e.g. "create", "update", "end", "login_failed"; required
	Entity   string // e.g. "grid", "worker", "assignment", "user"; required
	EntityID string // required
	// Before and After are nil or any JSON-marshalable value: the state
	// before and after the change. A value that marshals to JSON null (nil,
	// or a nil pointer, map or slice) is stored as NULL.
	Before any
	After  any
}

// Row is one stored audit row. BeforeJSON and AfterJSON are nil for NULL.
type Row struct {
	Seq        int64
	At         string
	Actor      string
	Action     string
	Entity     string
	EntityID   string
	BeforeJSON *string
	AfterJSON  *string
	PrevHash   string
	Hash       string
}

// Report is the result of Verify.
type Report struct {
	Rows     int64  // rows read, up to and including the one where a break was found
	HeadSeq  int64  // the head when the walk began: the state being vouched for
	HeadHash string // "" when the head row is missing
	Broken   *Break // nil when the chain is intact
}

// Break names the first broken link.
type Break struct {
	// Seq is the first row that cannot be trusted: the altered or missing
	// row, or, when a row's hash was recomputed after an edit, that row (the
	// next row still links to its old hash). It is 0 when the fault is in
	// the head itself (missing, or inconsistent with an empty log).
	Seq int64
	// Reason is an English sentence saying what is wrong and what probably
	// happened.
	Reason string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit: chain broken at row %d: %s", b.Seq, b.Reason)
}

// Append adds e to the log inside tx, the caller's transaction, and returns
// the new row's seq.
//
// One statement takes the next seq and the previous hash together; its row
// lock on audit_head serialises concurrent appenders on PostgreSQL until
// they commit (SQLite transactions here are BEGIN IMMEDIATE, so they are
// serial anyway). tx must be READ COMMITTED on PostgreSQL (the default): a
// REPEATABLE READ or SERIALIZABLE transaction gets a serialisation failure
// whenever another append committed since it began.
func Append(ctx context.Context, tx store.Tx, e Entry) (seq int64, err error) {
	if err := e.validate(); err != nil {
		return 0, err
	}
	before, err := marshal("Before", e.Before)
	if err != nil {
		return 0, err
	}
	after, err := marshal("After", e.After)
	if err != nil {
		return 0, err
	}
	r := Row{
		At:         store.Now().Format(TimeLayout),
		Actor:      e.Actor,
		Action:     e.Action,
		Entity:     e.Entity,
		EntityID:   e.EntityID,
		BeforeJSON: before,
		AfterJSON:  after,
	}
	err = tx.QueryRowContext(ctx,
		`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
		Scan(&r.Seq, &r.PrevHash)
	if store.IsNoRows(err) {
		return 0, errors.New("audit: append: the audit_head row is missing")
	}
	if err != nil {
		return 0, fmt.Errorf("audit: append: take next seq: %w", err)
	}
	r.Hash = Hash(r)
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.Seq, r.At, r.Actor, r.Action, r.Entity, r.EntityID, r.BeforeJSON, r.AfterJSON, r.PrevHash, r.Hash); err != nil {
		return 0, fmt.Errorf("audit: append row %d: %w", r.Seq, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, r.Hash); err != nil {
		return 0, fmt.Errorf("audit: append row %d: move head: %w", r.Seq, err)
	}
	return r.Seq, nil
}

// validate checks the required fields, and that every text can be stored
// as is on both engines (PostgreSQL refuses invalid UTF-8 and NUL bytes in
// TEXT). A bad entry is a programming error, so it is not an apperr.
func (e Entry) validate() error {
	for _, f := range []struct{ name, v string }{
		{"Actor", e.Actor}, {"Action", e.Action}, {"Entity", e.Entity}, {"EntityID", e.EntityID},
	} {
		switch {
		case f.v == "":
			return fmt.Errorf("audit: entry has no %s", f.name)
		case !utf8.ValidString(f.v):
			return fmt.Errorf("audit: entry %s is not valid UTF-8", f.name)
		case strings.IndexByte(f.v, 0) >= 0:
			return fmt.Errorf("audit: entry %s contains a NUL byte", f.name)
		}
	}
	return nil
}

// marshal returns v as JSON text, or nil (NULL) if v marshals to null.
func marshal(field string, v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: entry %s: %w", field, err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	if !utf8.Valid(b) {
		// Only a json.RawMessage or a Marshaler can produce this.
		return nil, fmt.Errorf("audit: entry %s: JSON is not valid UTF-8", field)
	}
	s := string(b)
	return &s, nil
}

// hashDomain starts every hashed message, so that a change of encoding can
// never collide with this one.
const hashDomain = "gridwork-audit-v1\n"

// Hash is the chain function: hex SHA-256 over the row's seq, at, actor,
// action, entity, entity_id, before_json, after_json and prev_hash (r.Hash is
// ignored). Each field is encoded as its byte length in decimal, ':', and its
// bytes; a NULL before_json or after_json is the single byte '-', which no
// length starts with. Field boundaries therefore cannot shift, and NULL, ""
// and "null" all hash differently.
//
// Changing this function invalidates every stored chain.
func Hash(r Row) string {
	h := sha256.New()
	io.WriteString(h, hashDomain)
	var num [20]byte
	writeField(h, strconv.AppendInt(num[:0], r.Seq, 10))
	writeString(h, r.At)
	writeString(h, r.Actor)
	writeString(h, r.Action)
	writeString(h, r.Entity)
	writeString(h, r.EntityID)
	writeNullable(h, r.BeforeJSON)
	writeNullable(h, r.AfterJSON)
	writeString(h, r.PrevHash)
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

func writeLen(h hash.Hash, n int) {
	var buf [24]byte
	b := strconv.AppendInt(buf[:0], int64(n), 10)
	h.Write(append(b, ':'))
}

func writeField(h hash.Hash, b []byte) {
	writeLen(h, len(b))
	h.Write(b)
}

func writeString(h hash.Hash, s string) {
	writeLen(h, len(s))
	io.WriteString(h, s)
}

func writeNullable(h hash.Hash, s *string) {
	if s == nil {
		h.Write([]byte{'-'})
		return
	}
	writeString(h, *s)
}

const rowColumns = `seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash`

type scanner interface{ Scan(dest ...any) error }

func scanRow(s scanner) (Row, error) {
	var r Row
	err := s.Scan(&r.Seq, &r.At, &r.Actor, &r.Action, &r.Entity, &r.EntityID,
		&r.BeforeJSON, &r.AfterJSON, &r.PrevHash, &r.Hash)
	return r, err
}

// Verify walks the whole log in seq order and reports the first broken
// link in Report.Broken. It streams: memory use does not grow with the log.
// It returns an error only when reading fails.
//
// Appends that commit while Verify runs are not mistaken for tampering: the
// walk vouches for the log up to the head it read first, and only then looks
// for rows past the head. db may be a transaction; Verify issues one query at
// a time.
func Verify(ctx context.Context, db store.Queryer) (Report, error) {
	var rep Report
	headFound := true
	err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).
		Scan(&rep.HeadSeq, &rep.HeadHash)
	if store.IsNoRows(err) {
		headFound = false
	} else if err != nil {
		return rep, fmt.Errorf("audit: verify: read head: %w", err)
	}

	upTo := rep.HeadSeq
	if !headFound {
		upTo = math.MaxInt64
	}
	last, lastHash, brk, err := walk(ctx, db, upTo, &rep.Rows)
	if err != nil {
		return rep, err
	}
	if brk == nil {
		brk = checkEnd(headFound, rep.HeadSeq, rep.HeadHash, last, lastHash)
	}
	if brk == nil && headFound {
		brk, err = checkPastHead(ctx, db)
		if err != nil {
			return rep, err
		}
	}
	rep.Broken = brk
	return rep, nil
}

// walk checks every row with seq <= upTo in order, counting them into *n,
// and returns the last row's seq and hash (0 and GenesisHash if none) or the
// first break.
func walk(ctx context.Context, db store.Queryer, upTo int64, n *int64) (last int64, lastHash string, brk *Break, err error) {
	rows, err := db.QueryContext(ctx,
		`SELECT `+rowColumns+` FROM audit_log WHERE seq <= $1 ORDER BY seq`, upTo)
	if err != nil {
		return 0, "", nil, fmt.Errorf("audit: verify: read log: %w", err)
	}
	defer rows.Close()
	last, lastHash = 0, GenesisHash
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return 0, "", nil, fmt.Errorf("audit: verify: read row after %d: %w", last, err)
		}
		*n++
		if brk := checkRow(r, last, lastHash); brk != nil {
			return 0, "", brk, nil
		}
		last, lastHash = r.Seq, r.Hash
	}
	if err := rows.Err(); err != nil {
		return 0, "", nil, fmt.Errorf("audit: verify: read row after %d: %w", last, err)
	}
	return last, lastHash, nil, nil
}

// checkRow checks r against the row before it (prevSeq 0 and GenesisHash
// for the first row).
func checkRow(r Row, prevSeq int64, prevHash string) *Break {
	switch {
	case r.Seq <= prevSeq: // only possible before row 1: seq is the primary key
		return &Break{r.Seq, fmt.Sprintf(
			"row %d cannot exist: the log starts at row 1, so the row was inserted by hand", r.Seq)}
	case r.Seq > prevSeq+1:
		return &Break{prevSeq + 1, missing(prevSeq, r.Seq)}
	}
	selfOK := Hash(r) == r.Hash
	linkOK := r.PrevHash == prevHash
	switch {
	case selfOK && linkOK:
		return nil
	case !selfOK && linkOK:
		return &Break{r.Seq, fmt.Sprintf(
			"row %d was altered: its stored hash does not match its contents", r.Seq)}
	case !selfOK && r.Seq == 1:
		return &Break{r.Seq,
			"row 1 was altered: its stored hash does not match its contents, and its prev_hash is not the genesis hash"}
	case !selfOK:
		return &Break{r.Seq, fmt.Sprintf(
			"row %d was altered: its stored hash does not match its contents, and its prev_hash does not match row %d's hash",
			r.Seq, prevSeq)}
	case r.Seq == 1:
		return &Break{r.Seq,
			"row 1 does not start from the genesis hash: its prev_hash was rewritten and its hash recomputed"}
	default:
		return &Break{prevSeq, fmt.Sprintf(
			"row %d's hash was recomputed but row %d still links to the old one: row %d was altered and rehashed (or row %d's prev_hash was rewritten and rehashed)",
			prevSeq, r.Seq, prevSeq, r.Seq)}
	}
}

// missing describes the gap between row prev (0: none) and row next.
func missing(prev, next int64) string {
	var jump string
	if prev == 0 {
		jump = fmt.Sprintf("the log starts at row %d", next)
	} else {
		jump = fmt.Sprintf("rows jump from %d to %d", prev, next)
	}
	if next == prev+2 {
		return fmt.Sprintf("row %d is missing (%s): it was deleted", prev+1, jump)
	}
	return fmt.Sprintf("rows %d to %d are missing (%s): they were deleted", prev+1, next-1, jump)
}

// checkEnd checks the end of an otherwise intact walk against the head.
func checkEnd(headFound bool, headSeq int64, headHash string, last int64, lastHash string) *Break {
	switch {
	case !headFound:
		return &Break{0, "the audit head row is missing: it was deleted, so rows deleted from the end of the log could go unnoticed"}
	case headSeq < 0:
		return &Break{0, fmt.Sprintf("the head says %d rows, which no log can have: the head was altered", headSeq)}
	case last < headSeq && last == 0:
		return &Break{1, fmt.Sprintf(
			"the head says %d rows but the log is empty: all rows were deleted (or the head was altered)", headSeq)}
	case last < headSeq:
		return &Break{last + 1, fmt.Sprintf(
			"the head says %d rows but the log ends at row %d: rows were deleted from the end (or the head was altered)",
			headSeq, last)}
	case lastHash == headHash:
		return nil
	case last == 0:
		return &Break{0, "the head's hash is not the genesis hash although the log is empty: the head was altered"}
	default:
		return &Break{last, fmt.Sprintf(
			"the head's hash differs from row %d's hash: the head was altered, or row %d was altered and its hash recomputed",
			last, last)}
	}
}

// checkPastHead looks for rows beyond the head. It reads the log's highest
// seq before the head: every honest row is committed together with a head at
// least as high, so a later head can only be higher.
func checkPastHead(ctx context.Context, db store.Queryer) (*Break, error) {
	var maxSeq *int64
	if err := db.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_log`).Scan(&maxSeq); err != nil {
		return nil, fmt.Errorf("audit: verify: read last seq: %w", err)
	}
	if maxSeq == nil {
		return nil, nil
	}
	var head int64
	err := db.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&head)
	if store.IsNoRows(err) {
		return &Break{0, "the audit head row is missing: it was deleted while the log was being verified"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: verify: read head: %w", err)
	}
	if *maxSeq <= head {
		return nil, nil
	}
	var first int64
	if err := db.QueryRowContext(ctx, `SELECT MIN(seq) FROM audit_log WHERE seq > $1`, head).Scan(&first); err != nil {
		return nil, fmt.Errorf("audit: verify: read rows past the head: %w", err)
	}
	return &Break{first, fmt.Sprintf(
		"row %d lies past the head, which says %d rows: rows were added without moving the head, or the head was moved back",
		first, head)}, nil
}

// List returns at most limit audit rows for one entity, newest first.
func List(ctx context.Context, db store.Queryer, entity, entityID string, limit int) ([]Row, error) {
	if limit < 1 {
		return nil, apperr.Field("limit", "must be at least 1")
	}
	rows, err := db.QueryContext(ctx,
		`SELECT `+rowColumns+` FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT $3`,
		entity, entityID, int64(limit))
	if err != nil {
		return nil, fmt.Errorf("audit: list %s %s: %w", entity, entityID, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: list %s %s: %w", entity, entityID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list %s %s: %w", entity, entityID, err)
	}
	return out, nil
}

// Serialize takes, inside tx, the lock that Append takes on the chain's head,
// and holds it until tx ends. A writer that checks a rule against stored rows
// before writing (a free code, a grid's remaining share) calls it first, so
// no other audited write can slip in between its check and its commit. On
// SQLite transactions are already serial; on PostgreSQL this is a row lock.
func Serialize(ctx context.Context, tx store.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
		return fmt.Errorf("audit: serialize: %w", err)
	}
	return nil
}

// Write runs fn in a transaction on db (or the one ctx carries) that first
// takes the chain's lock (Serialize): the shape of every audited write that
// checks stored rows before it writes.
func Write(ctx context.Context, db *store.DB, fn func(tx store.Tx) error) error {
	return db.Tx(ctx, func(tx store.Tx) error {
		if err := Serialize(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}
