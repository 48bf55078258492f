package mockserver

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/archive"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// backupJSON is a backup as the API writes it: started_at and size are null, not absent, until set.
type backupJSON struct {
	ID         string              `json:"id"`
	CreatedAt  time.Time           `json:"created_at"`
	StartedAt  *time.Time          `json:"started_at"`
	Name       string              `json:"name"`
	Size       *int64              `json:"size"`
	Status     dbapi.BackupStatus  `json:"status"`
	DatabaseID string              `json:"database_id"`
	Method     *dbapi.BackupMethod `json:"method,omitempty"`
}

func toBackupJSON(b dbapi.Backup) backupJSON {
	return backupJSON{ID: b.ID, CreatedAt: b.CreatedAt, StartedAt: b.StartedAt, Name: b.Name, Size: b.Size,
		Status: b.Status, DatabaseID: b.DatabaseID, Method: b.Method}
}

type backupEnvelope struct {
	DatabaseBackup backupJSON `json:"database_backup"`
}

// ListBackups lists the backups of a database, newest first.
func (s handlers) ListBackups(_ context.Context, req dbapi.ListBackupsRequestObject) (dbapi.ListBackupsResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.ListBackupsResponseObject, error) {
		now := s.cfg.clock.Now()
		if c := &db.backupsList; !c.fresh(now) {
			body, err := s.encodeBackups(db, now)
			if err != nil {
				return nil, err
			}
			*c = body
		}
		return respond.Cached(db.backupsList.body), nil
	})
}

// encodeBackups encodes the backup list of db as it is at now, and tells until when it holds: the
// first status change the clock brings to a created backup after now.
func (s *Server) encodeBackups(db *database, now time.Time) (backupsCache, error) {
	c := backupsCache{from: now, forever: true}
	items := make([][]byte, 0, len(db.backups))
	for i := len(db.backups) - 1; i >= 0; i-- {
		b := db.backups[i]
		enc, err := json.Marshal(toBackupJSON(s.backupView(b, now)))
		if err != nil {
			return backupsCache{}, err
		}
		items = append(items, enc)
		if !b.lifecycle {
			continue
		}
		start := b.b.CreatedAt.Add(s.cfg.backupScheduled)
		for _, t := range []time.Time{start, start.Add(s.cfg.backupRunning)} {
			if t.After(now) && (c.forever || t.Before(c.until)) {
				c.until, c.forever = t, false
				break
			}
		}
	}
	c.body = respond.EncodeList("database_backups", slices.Values(items), func(b []byte) []byte { return b })
	return c, nil
}

// CreateBackup schedules a manual backup. It then runs and ends done (or in error, see
// WithBackupErrorRate) as the clock advances.
func (s handlers) CreateBackup(_ context.Context, req dbapi.CreateBackupRequestObject) (dbapi.CreateBackupResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.store
	db := st.dbs[req.DatabaseID]
	if db == nil {
		return respond.NotFound("database"), nil
	}
	now := s.cfg.clock.Now()
	st.created++
	n, p := float64(st.created), s.cfg.backupErrorRate
	method := dbapi.BackupMethodManual
	b := &backup{
		b: dbapi.Backup{
			ID: st.newID(), CreatedAt: now, Name: now.UTC().Format("20060102150405") + "_" + db.db.ResourceID,
			Status: dbapi.BackupStatusScheduled, DatabaseID: db.db.ID, Method: &method,
		},
		db:        db,
		lifecycle: true,
		fails:     math.Floor(n*p) > math.Floor((n-1)*p),
	}
	db.backups = append(db.backups, b)
	db.backupsList = backupsCache{}
	st.backups[b.b.ID] = b
	return respond.JSON(http.StatusCreated, backupEnvelope{toBackupJSON(s.backupView(b, now))}), nil
}

// GetBackup shows one backup, whatever its database.
func (s handlers) GetBackup(_ context.Context, req dbapi.GetBackupRequestObject) (dbapi.GetBackupResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.backups[req.BackupID]
	if b == nil {
		return respond.NotFound("backup"), nil
	}
	return respond.JSON(http.StatusOK, backupEnvelope{toBackupJSON(s.backupView(b, s.cfg.clock.Now()))}), nil
}

// doneBackup finds a backup of a database that is done, with the version of its archive, or the
// response to give otherwise.
func (s *Server) doneBackup(databaseID, backupID string) (dbapi.Backup, archive.Version, *respond.Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.store.dbs[databaseID]
	if db == nil {
		r := respond.NotFound("database")
		return dbapi.Backup{}, archive.Version{}, &r
	}
	b := s.store.backups[backupID]
	if b == nil || b.db != db {
		r := respond.NotFound("backup")
		return dbapi.Backup{}, archive.Version{}, &r
	}
	v := s.backupView(b, s.cfg.clock.Now())
	if v.Status != dbapi.BackupStatusDone || v.Size == nil {
		r := respond.NotFoundBecause("backup_archive", "backup archive not available yet")
		return dbapi.Backup{}, archive.Version{}, &r
	}
	return v, s.archiveVersion(b, v), nil
}

// archiveVersion returns the current version of the archive of b, whose view is v. Holds s.mu.
func (s *Server) archiveVersion(b *backup, v dbapi.Backup) archive.Version {
	modified := b.modified
	if b.gen == 0 {
		modified = v.CreatedAt // a seeded backup without a start
		if v.StartedAt != nil {
			modified = *v.StartedAt
		}
		if b.lifecycle {
			modified = v.CreatedAt.Add(s.cfg.backupScheduled + s.cfg.backupRunning) // when it was done
		}
	}
	return archive.Version{Gen: b.gen, Modified: modified.UTC().Truncate(time.Second), WeakDate: b.weakDate, ETag: archive.ETag(v.ID, b.gen)}
}

// changeArchive gives the archive of a backup new bytes, so a new ETag, and a new Last-Modified:
// now, to the second, or the previous one when now is not later (the date is then weak).
func (s *Server) changeArchive(backupID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.backups[backupID]
	if b == nil {
		return
	}
	prev := s.archiveVersion(b, s.backupView(b, s.cfg.clock.Now())).Modified
	now := s.cfg.clock.Now().UTC().Truncate(time.Second)
	b.gen++
	if now.After(prev) {
		b.modified, b.weakDate = now, false
	} else {
		b.modified, b.weakDate = prev, true
	}
}

// Archive returns the bytes of the archive of a backup as the Server served them with the ETag etag
// (any version it has served: see Faults.ArchiveChangeRate), or as it serves them now when etag is
// empty, so that a test can check what a client downloaded. It fails when the backup is unknown or
// not done, or when the Server never gave that ETag to its archive.
func (s *Server) Archive(backupID, etag string) (io.Reader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.backups[backupID]
	if b == nil {
		return nil, fmt.Errorf("mockserver: Archive: unknown backup %q", backupID)
	}
	v := s.backupView(b, s.cfg.clock.Now())
	if v.Status != dbapi.BackupStatusDone || v.Size == nil {
		return nil, fmt.Errorf("mockserver: Archive: backup %q is %s, not done", backupID, v.Status)
	}
	gen := b.gen
	if etag != "" {
		gen = -1
		for g := 0; g <= b.gen; g++ {
			if archive.ETag(backupID, g) == etag {
				gen = g
				break
			}
		}
		if gen < 0 {
			return nil, fmt.Errorf("mockserver: Archive: backup %q never had the ETag %s", backupID, etag)
		}
	}
	return archive.NewReader(context.Background(), s.store.archives.Block(backupID, gen), 0, *v.Size, 0), nil
}

// GetBackupArchive returns a pre-signed URL on the mock itself (or on the base of WithPublicURL),
// valid for the download TTL.
func (s handlers) GetBackupArchive(ctx context.Context, req dbapi.GetBackupArchiveRequestObject) (dbapi.GetBackupArchiveResponseObject, error) {
	if _, _, resp := s.doneBackup(req.DatabaseID, req.BackupID); resp != nil {
		return *resp, nil
	}
	base, err := s.linkBase(ctx)
	if err != nil {
		// RFC 9112 §3.2: a Host that names no reachable host is a bad request.
		return respond.Error(http.StatusBadRequest, err.Error()), nil
	}
	token := s.signDownload(req.DatabaseID, req.BackupID, s.cfg.clock.Now().Add(s.cfg.downloadTTL))
	u := base + "/databases/" + url.PathEscape(req.DatabaseID) + "/backups/" +
		url.PathEscape(req.BackupID) + "/download?token=" + url.QueryEscape(token)
	return dbapi.GetBackupArchive200JSONResponse{DownloadURL: u}, nil
}

func (s *Server) downloadMAC(databaseID, backupID, expiry string) []byte {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "%s|%s|%s", databaseID, backupID, expiry)
	return m.Sum(nil)[:18]
}

// signDownload returns the token of a download link that expires at expiry: a MAC, a dot and the
// expiry in Unix seconds, followed by its fraction of a second when it has one, so that a link lasts
// the TTL to the nanosecond (a link of a whole second reads as before, and stays valid).
func (s *Server) signDownload(databaseID, backupID string, expiry time.Time) string {
	exp := strconv.FormatInt(expiry.Unix(), 10)
	if ns := expiry.Nanosecond(); ns != 0 {
		exp += "." + strings.TrimRight(fmt.Sprintf("%09d", ns), "0")
	}
	return base64.RawURLEncoding.EncodeToString(s.downloadMAC(databaseID, backupID, exp)) + "." + exp
}

// parseExpiry reads the expiry of a token: Unix seconds, then optionally a dot and 1 to 9 digits of
// a fraction of a second.
func parseExpiry(exp string) (time.Time, bool) {
	secPart, frac, hasFrac := strings.Cut(exp, ".")
	secs, err := strconv.ParseInt(secPart, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	var ns int64
	if hasFrac {
		if frac == "" || len(frac) > 9 || strings.TrimLeft(frac, "0123456789") != "" {
			return time.Time{}, false
		}
		ns, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	return time.Unix(secs, ns), true
}

// checkDownload tells whether token is a valid, unexpired signature of the download.
func (s *Server) checkDownload(databaseID, backupID, token string) bool {
	macPart, expPart, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	expiry, ok := parseExpiry(expPart)
	if !ok {
		return false
	}
	mac, err := base64.RawURLEncoding.DecodeString(macPart)
	if err != nil || !hmac.Equal(mac, s.downloadMAC(databaseID, backupID, expPart)) {
		return false
	}
	return s.cfg.clock.Now().Before(expiry)
}

// DownloadBackup serves the archive of a done backup, authorised by its pre-signed token, with support
// for one byte range, made conditional by If-Range. Both answers carry the version's ETag and
// Last-Modified.
func (s handlers) DownloadBackup(ctx context.Context, req dbapi.DownloadBackupRequestObject) (dbapi.DownloadBackupResponseObject, error) {
	if !s.checkDownload(req.DatabaseID, req.BackupID, req.Params.Token) {
		return respond.Forbidden("the download link is invalid or has expired"), nil
	}
	b, ver, resp := s.doneBackup(req.DatabaseID, req.BackupID)
	if resp != nil {
		return *resp, nil
	}
	size := *b.Size
	bytesUnit := "bytes"
	etag, modified := ver.ETag, ver.Modified.Format(http.TimeFormat)
	// The range is read before any byte is made: a 416 costs no archive. The block comes from the
	// Server's cache, made once per version.
	var start, end int64
	status := http.StatusOK
	if req.Params.Range != nil && (req.Params.IfRange == nil || ver.IfRange(*req.Params.IfRange)) {
		start, end, status = archive.ParseRange(*req.Params.Range, size)
	}
	if status == http.StatusRequestedRangeNotSatisfiable {
		r := respond.Error(http.StatusRequestedRangeNotSatisfiable, "requested range not satisfiable")
		r.Header = map[string]string{"Content-Range": fmt.Sprintf("bytes */%d", size)}
		return r, nil
	}
	block := s.store.archives.Block(b.ID, ver.Gen)
	if status == http.StatusPartialContent {
		n := end - start + 1
		return downloadResponse{dbapi.DownloadBackup206ApplicationOctetStreamResponse{
			Body: archive.NewReader(ctx, block, start, n, s.cfg.bandwidth), ContentLength: n,
			Headers: dbapi.DownloadBackup206ResponseHeaders{AcceptRanges: &bytesUnit, ContentLength: &n,
				ContentRange: fmt.Sprintf("bytes %d-%d/%d", start, end, size), ETag: &etag, LastModified: &modified},
		}}, nil
	}
	return downloadResponse{dbapi.DownloadBackup200ApplicationOctetStreamResponse{
		Body: archive.NewReader(ctx, block, 0, size, s.cfg.bandwidth), ContentLength: size,
		Headers: dbapi.DownloadBackup200ResponseHeaders{AcceptRanges: &bytesUnit, ContentLength: &size, ETag: &etag, LastModified: &modified},
	}}, nil
}

// ArchiveContent returns the bytes a Server serves for the archive of a backup of the given size,
// as long as no fault changed them (see Server.Archive), so that a test can check what a client
// downloaded.
func ArchiveContent(backupID string, size int64) io.Reader { return archive.Content(backupID, size) }
