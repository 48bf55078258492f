package backupsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"

	"gocloud.dev/gcerrors"
)

// Problem is a copy that failed verification.
type Problem struct {
	// Key is the object's key in the destination.
	Key string `json:"key"`
	// BackupID is the backup the manifest lists at Key ("" for an
	// unlisted object).
	BackupID string `json:"backup_id,omitempty"`
	// Reason says what is wrong.
	Reason string `json:"reason"`
}

// VerifyResult is what Verify found for one database.
type VerifyResult struct {
	// DatabaseID is the database.
	DatabaseID string `json:"database_id"`
	// OK counts the copies whose size and SHA-256 match the manifest.
	OK int `json:"ok"`
	// Bytes is how many bytes were read.
	Bytes int64 `json:"bytes"`
	// Missing are the listed copies without an object.
	Missing []Problem `json:"missing"`
	// Corrupt are the listed copies whose object has another size or
	// SHA-256 (or could not be read).
	Corrupt []Problem `json:"corrupt"`
	// Unlisted are the objects of the database's folder that the manifest
	// does not list (a copy interrupted before its manifest was written,
	// a download's partial file, anything else): never pruned.
	Unlisted []Problem `json:"unlisted"`
	// Errors are failures to verify, in words (an unreadable manifest, a
	// listing that failed).
	Errors []string `json:"errors"`
	// Err joins those failures.
	Err error `json:"-"`
}

// Failed reports whether the database has a missing or corrupt copy, or
// could not be verified. Unlisted objects are reported, not failures.
func (r *VerifyResult) Failed() bool {
	return r.Err != nil || len(r.Missing) > 0 || len(r.Corrupt) > 0
}

// ErrNothingToVerify is the failure of a verify that would check no copy:
// a database folder without a manifest (its copies are all unlisted) or
// with one that lists no copy, a database given that has none, or a destination without any database
// folder with a manifest (a wrong prefix), none of which may pass as
// intact. (A folder found that holds only a lock, a first sync under way,
// is passed over.)
var ErrNothingToVerify = errors.New("backupsync: nothing to verify")

// Verify re-reads every copy that the manifests of the destination list
// and checks its size and SHA-256, for every database folder under the
// destination's prefix (or only those of databases, when given). Each
// object is read as a stream: memory stays small whatever its size. A
// database without a manifest fails (its VerifyResult.Err matches
// ErrNothingToVerify), and so does a destination without any database
// folder (the error).

func Verify(ctx context.Context, dst *Destination, databases ...string) ([]VerifyResult, error) {
	found := len(databases) == 0
	if found {
		var err error
		if databases, err = dst.databases(ctx); err != nil {
			return nil, err
		}
		if len(databases) == 0 {
			return nil, fmt.Errorf("%w: no database folder under %s", ErrNothingToVerify, dst)
		}
	}
	sort.Strings(databases)
	out := make([]VerifyResult, 0, len(databases))
	for _, db := range databases {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		res := verifyOne(ctx, dst, db)
		if found && errors.Is(res.Err, ErrNothingToVerify) && len(res.Errors) == 1 && len(res.Unlisted) == 0 {
			continue // a folder found holding only a lock: a first sync under way
		}
		out = append(out, res)
	}
	if found && len(out) == 0 {
		return out, fmt.Errorf("%w: no database folder with a manifest under %s", ErrNothingToVerify, dst)
	}
	return out, nil
}

// verifyOne verifies the copies of one database.
func verifyOne(ctx context.Context, dst *Destination, db string) VerifyResult {
	res := VerifyResult{DatabaseID: db, Missing: []Problem{}, Corrupt: []Problem{}, Unlisted: []Problem{}, Errors: []string{}}
	fail := func(err error) VerifyResult {
		res.Errors = append(res.Errors, err.Error())
		res.Err = errors.Join(res.Err, err)
		return res
	}
	if err := checkID(db); err != nil {
		return fail(err)
	}
	m, objects, err := dst.folder(ctx, db)
	if err != nil {
		return fail(err)
	}
	if _, ok := objects[ManifestName]; !ok {
		// Reported below with the objects it leaves unlisted.
		fail(fmt.Errorf("%w: no %s at %s", ErrNothingToVerify, ManifestName, dst.key(db, ManifestName)))
	} else if len(m.Backups) == 0 {
		fail(fmt.Errorf("%w: %s lists no copy", ErrNothingToVerify, dst.key(db, ManifestName)))
	}
	listed := map[string]bool{ManifestName: true}
	for _, e := range m.Backups {
		listed[e.Key] = true
		key := dst.key(db, e.Key)
		if _, ok := objects[e.Key]; !ok {
			res.Missing = append(res.Missing, Problem{Key: key, BackupID: e.ID, Reason: "listed in the manifest, absent"})
			continue
		}
		n, sum, err := dst.hashObject(ctx, key)
		switch {
		case gcerrors.Code(err) == gcerrors.NotFound:
			res.Missing = append(res.Missing, Problem{Key: key, BackupID: e.ID, Reason: "listed in the manifest, absent"})
		case err != nil:
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
			res.Corrupt = append(res.Corrupt, Problem{Key: key, BackupID: e.ID, Reason: "unreadable: " + err.Error()})
		case n != e.Size:
			res.Corrupt = append(res.Corrupt, Problem{Key: key, BackupID: e.ID, Reason: fmt.Sprintf("%d bytes, the manifest says %d", n, e.Size)})
		case sum != e.SHA256:
			res.Corrupt = append(res.Corrupt, Problem{Key: key, BackupID: e.ID, Reason: "sha256 " + sum + ", the manifest says " + e.SHA256})
		default:
			res.OK++
		}
		res.Bytes += n
	}
	var unlisted []string
	for name := range objects {
		if !listed[name] && !isLockObject(name) {
			unlisted = append(unlisted, name)
		}
	}
	sort.Strings(unlisted)
	for _, name := range unlisted {
		res.Unlisted = append(res.Unlisted, Problem{Key: dst.key(db, name), Reason: "not listed in the manifest"})
	}
	return res
}

// hashObject reads an object and returns its size and hex SHA-256.
func (d *Destination) hashObject(ctx context.Context, key string) (int64, string, error) {
	r, err := d.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return 0, "", err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return n, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
