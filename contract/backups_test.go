package contract_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

var _ = Describe("Backups", labels(harness.Backups), func() {
	It("lists the backups of the database, and only those", labels(harness.ReadOnly), func(ctx SpecContext) {
		backups := listBackups(ctx)
		Expect(backups).NotTo(BeEmpty(), "%s lists no backup", suite.db)
		// A backup of another database in the list is another owner's archive a script downloads.
		db := getDatabase(ctx, suite.db)
		for _, b := range backups {
			Expect(b.DatabaseID == db.ID || b.DatabaseID == db.ResourceID).To(BeTrue(), "backup %s listed for %s belongs to the database %s", b.ID, suite.db, b.DatabaseID)
		}
	})

	// The spec's order: a script that takes the first backup listed as the latest must not
	// restore or download an older one.
	It("lists the backups newest first", labels(harness.ReadOnly), func(ctx SpecContext) {
		backups := listBackups(ctx)
		for i := 1; i < len(backups); i++ {
			prev, b := backups[i-1], backups[i]
			Expect(b.CreatedAt.After(prev.CreatedAt)).To(BeFalse(), "backup %s (created %s) is listed after %s (created %s), which is older",
				b.ID, b.CreatedAt.Format(time.RFC3339Nano), prev.ID, prev.CreatedAt.Format(time.RFC3339Nano))
		}
	})

	Context("when a backup is created", Ordered, labels(harness.Mutating, harness.Slow), func() {
		var backup dbapi.Backup
		var downloadURL string
		var archive archiveRead // its length, and the SHA-256 of its second half

		BeforeAll(func(ctx SpecContext) {
			requireWrites()
			resp := answered(suite.api.CreateBackupWithResponse(ctx, suite.db)).with(http.StatusCreated)
			// The API has no way to delete a backup: there is nothing to clean up.
			backup = createdBackup(resp.Body)
		})

		It("answers 201 with the backup scheduled and no size yet", func() {
			Expect(backup.ID).NotTo(BeEmpty())
			Expect(backup.Status).To(BeElementOf(dbapi.BackupStatusScheduled, dbapi.BackupStatusRunning))
			if backup.Size != nil {
				Expect(*backup.Size).To(BeZero())
			}
		})

		It("lists the new backup", func(ctx SpecContext) {
			var listed []string
			for _, b := range listBackups(ctx) {
				listed = append(listed, b.ID)
			}
			Expect(listed).To(ContainElement(backup.ID))
		})

		It("reaches done with its size set", func(ctx SpecContext) {
			Eventually(func(g Gomega) {
				resp, err := suite.api.GetBackupWithResponse(ctx, backup.ID)
				var ve *conformance.ViolationError
				if errors.As(err, &ve) {
					StopTrying(violationMessage([]*conformance.ViolationError{ve})).Now()
				}
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
				backup = resp.JSON200.DatabaseBackup
				g.Expect(backup.Status).To(Equal(dbapi.BackupStatusDone))
			}).WithContext(ctx).WithTimeout(backupTimeout()).WithPolling(backupPolling()).Should(Succeed())
			Expect(backup.Size).NotTo(BeNil())
			Expect(*backup.Size).To(BeNumerically(">", 0))
			Expect(backup.StartedAt).NotTo(BeNil())
		})

		It("links its archive with a pre-signed absolute URL", func(ctx SpecContext) {
			downloadURL = archiveURL(ctx, backup.ID)
		})

		It("downloads as many bytes as the backup's size", func(ctx SpecContext) {
			archive = readArchive(ctx, downloadURL, "", http.StatusOK, nil, *backup.Size/2)
			Expect(archive.n).To(Equal(*backup.Size), "the archive of %s is not the backup's size", backup.ID)
		})

		It("resumes the download from an offset with Range", func(ctx SpecContext) {
			from := *backup.Size / 2
			part := readArchive(ctx, downloadURL, fmt.Sprintf("bytes=%d-", from), http.StatusPartialContent, nil, 0)
			Expect(part.n == archive.n-from && bytes.Equal(part.sum, archive.sum)).To(BeTrue(), "the resumed part differs from the archive's tail")
		})
	})

	Context("when the database has a done backup", func() {
		var done dbapi.Backup
		BeforeEach(func(ctx SpecContext) {
			done = dbapi.Backup{}
			for _, b := range listBackups(ctx) {
				if b.Status == dbapi.BackupStatusDone && b.Size != nil && *b.Size > 0 && (done.Size == nil || *b.Size < *done.Size) {
					done = b
				}
			}
			if done.ID == "" {
				Skip("the database has no done backup")
			}
		})

		It("shows the backup by its ID", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := answered(suite.api.GetBackupWithResponse(ctx, done.ID)).with(http.StatusOK)
			Expect(resp.JSON200.DatabaseBackup.ID).To(Equal(done.ID))
		})

		It("serves its archive with the backup's size", labels(harness.ReadOnly), func(ctx SpecContext) {
			body := readArchive(ctx, archiveURL(ctx, done.ID), "", http.StatusOK, nil, 0)
			Expect(body.n).To(Equal(*done.Size), "the archive of %s is not the backup's size", done.ID)
		})

		It("serves a byte range with 206 and Content-Range", labels(harness.ReadOnly), func(ctx SpecContext) {
			u := archiveURL(ctx, done.ID)
			resp := downloadResponse(ctx, u, "bytes=0-9")
			defer resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusPartialContent))
			Expect(resp.Header.Get("Content-Range")).To(Equal(fmt.Sprintf("bytes 0-9/%d", *done.Size)))
			body, err := io.ReadAll(resp.Body)
			noError(err)
			Expect(body).To(HaveLen(10))
		})

		It("answers 416 to a range beyond the end", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := downloadResponse(ctx, archiveURL(ctx, done.ID), fmt.Sprintf("bytes=%d-", *done.Size+10))
			defer resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusRequestedRangeNotSatisfiable))
			Expect(resp.Header.Get("Content-Range")).To(Equal("bytes */" + strconv.FormatInt(*done.Size, 10)))
		})

		It("answers 403 to a forged download token", labels(harness.ReadOnly), func(ctx SpecContext) {
			u, err := url.Parse(archiveURL(ctx, done.ID))
			noError(err)
			q := u.Query()
			q.Set("token", "forged"+randomHex(8))
			u.RawQuery = q.Encode()
			resp := downloadResponse(ctx, u.String(), "")
			expectError(resp, nil, http.StatusForbidden)
		})

		It("answers 403 to the download token of another backup", labels(harness.ReadOnly, harness.Auth), func(ctx SpecContext) {
			other := ""
			for _, b := range listBackups(ctx) {
				if b.ID != done.ID && b.Status == dbapi.BackupStatusDone && b.Size != nil && *b.Size > 0 {
					other = b.ID
				}
			}
			if other == "" {
				Skip("the database has one done backup: there is no token of another backup to try")
			}
			// The link of one backup, its token moved onto the path of the other: a server that
			// checks only that it signed the token serves any backup to whoever holds one link.
			theirs, err := url.Parse(archiveURL(ctx, other))
			noError(err)
			mine, err := url.Parse(archiveURL(ctx, done.ID))
			noError(err)
			q := theirs.Query()
			q.Set("token", mine.Query().Get("token"))
			theirs.RawQuery = q.Encode()
			// One byte asked: a server that wrongly serves it sends no more.
			resp := downloadResponse(ctx, theirs.String(), "bytes=0-0")
			expectError(resp, nil, http.StatusForbidden)
		})

		It("answers 400 to a download without its token", labels(harness.ReadOnly), func(ctx SpecContext) {
			u, err := url.Parse(archiveURL(ctx, done.ID))
			noError(err)
			u.RawQuery = ""
			resp := downloadResponse(ctx, u.String(), "")
			expectRefused(resp, nil, harness.Malformed)
		})

		It("answers 400 to a link asked with a Host that names no reachable host", labels(harness.ReadOnly), func(ctx SpecContext) {
			if suite.live() {
				Skip("a live API's front routes by Host: a request for another host never reaches it")
			}
			resp, err := suite.raw.GetBackupArchive(ctx, suite.db, done.ID, func(_ context.Context, req *http.Request) error {
				req.Host = "x:99999" // a port out of range: no link built on it could be followed
				return nil
			})
			expectRefused(resp, err, harness.Malformed)
		})
	})

	// Known from the JavaScript client only (x-sources: [js-client]): labelled unverified.
	Context("(known from one client only)", labels(harness.Unverified), func() {
		Context("when a done backup is restored", Ordered, labels(harness.Mutating, harness.Slow), func() {
			var restoration dbapi.BackupRestoration

			BeforeAll(func(ctx SpecContext) {
				requireWrites()
				skipOnLive("a restore overwrites the database")
				i := slices.IndexFunc(listBackups(ctx), func(b dbapi.Backup) bool { return b.Status == dbapi.BackupStatusDone })
				if i < 0 {
					Skip("the database under test has no done backup")
				}
				resp := answered(suite.api.RestoreBackupWithResponse(ctx, suite.db, listBackups(ctx)[i].ID)).with(http.StatusCreated)
				restoration = dbapi.BackupRestoration(*resp.JSON201)
			})

			It("answers 201 with the bare restoration, not started", func() {
				Expect(restoration.ID).NotTo(BeEmpty())
				Expect(restoration.Status).To(BeElementOf(dbapi.BackupRestorationStatusScheduled, dbapi.BackupRestorationStatusRunning))
				Expect(restoration.EndedAt).To(BeNil())
			})

			It("reaches done with its start and end", func(ctx SpecContext) {
				Eventually(func(g Gomega) {
					resp, err := suite.api.GetBackupRestorationWithResponse(ctx, suite.db, restoration.ID)
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(resp.StatusCode()).To(Equal(http.StatusOK))
					r := resp.JSON200.BackupRestoration
					g.Expect(r.Status).To(Equal(dbapi.BackupRestorationStatusDone))
					g.Expect(r.StartedAt).NotTo(BeNil())
					g.Expect(r.EndedAt).NotTo(BeNil())
				}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())
			})
		})

		Context("when the backup is not done", func() {
			It("answers 422 to a restore", labels(harness.Mutating), func(ctx SpecContext) {
				skipOnLive("a restore of a wrongly accepted backup would overwrite the database")
				i := slices.IndexFunc(listBackups(ctx), func(b dbapi.Backup) bool { return b.Status == dbapi.BackupStatusError })
				Expect(i).NotTo(BeNumerically("<", 0), "the demo database has a backup in error")
				resp, err := suite.raw.RestoreBackup(ctx, suite.db, listBackups(ctx)[i].ID)
				expectFieldError(resp, err, "backup")
			})
		})
	})

	itAnswersSharedErrors(harness.Backups)
})

// createdBackup reads a createBackup answer, enveloped (current) or bare (original document):
// the generated union type cannot tell them apart, so the envelope key decides.
func createdBackup(body []byte) dbapi.Backup {
	GinkgoHelper()
	var probe map[string]json.RawMessage
	Expect(json.Unmarshal(body, &probe)).To(Succeed())
	if _, ok := probe["database_backup"]; ok {
		return decode[dbapi.BackupResponse](body).DatabaseBackup
	}
	return decode[dbapi.Backup](body)
}

func listBackups(ctx SpecContext) []dbapi.Backup {
	GinkgoHelper()
	resp := answered(suite.api.ListBackupsWithResponse(ctx, suite.db)).with(http.StatusOK)
	return resp.JSON200.DatabaseBackups
}

// archiveURL asks for the archive link of a backup and checks it is an absolute URL.
func archiveURL(ctx SpecContext, backupID string) string {
	GinkgoHelper()
	resp := answered(suite.api.GetBackupArchiveWithResponse(ctx, suite.db, backupID)).with(http.StatusOK)
	u, err := url.Parse(resp.JSON200.DownloadURL)
	noError(err)
	Expect(u.IsAbs()).To(BeTrue(), "download_url %q is not absolute", resp.JSON200.DownloadURL)
	secrets.Add(u.Query().Get("token"))
	// Before anything routes the link: a foreign host is a setting to add, named with the
	// operation that gave it, not a route the spec does not know.
	if err := harness.CheckLink(suite.base, suite.cfg.DownloadHosts, "getBackupArchive", resp.JSON200.DownloadURL); err != nil {
		failAs(harness.SettingsWrong, err.Error())
	}
	return harness.SpecURL(suite.base, resp.JSON200.DownloadURL, suite.cfg.BasePath)
}

// downloadResponse GETs a pre-signed URL through the validated client, without the bearer token,
// with the headers given as name, value pairs.
func downloadResponse(ctx SpecContext, u, byteRange string, header ...string) *http.Response {
	GinkgoHelper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	noError(err)
	if byteRange != "" {
		req.Header.Set("Range", byteRange)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := suite.http.Do(req)
	noError(err)
	return resp
}

// maxPart bounds what download reads: it is for byte ranges; a whole archive goes through
// readArchive.
const maxPart = 1 << 20

// download GETs a byte range of an archive (a pre-signed URL, the headers given as name, value
// pairs), expects status want and returns the body, which must hold at most maxPart bytes and
// agree with its Content-Length.
func download(ctx SpecContext, u, byteRange string, want int, header ...string) []byte {
	GinkgoHelper()
	resp := downloadResponse(ctx, u, byteRange, header...)
	defer resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(want), "GET %s answered %d, want %d", resp.Request.URL.Path, resp.StatusCode, want)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPart+1))
	noError(err)
	Expect(len(body)).To(BeNumerically("<=", maxPart), "GET %s %s answered more than %d bytes", resp.Request.URL.Path, byteRange, maxPart)
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		Expect(strconv.Itoa(len(body))).To(Equal(cl), "GET %s %s: the body's length is not its Content-Length", resp.Request.URL.Path, byteRange)
	}
	return body
}

// window is a span of an archive's bytes, from and to included.
type window struct{ from, to int64 }

// archiveRead is what readArchive keeps of an answer: never the whole body (a production
// backup may be tens of GiB), but its length, the bytes of the windows asked for, the SHA-256 of
// its bytes from an offset on, and the answer's header.
type archiveRead struct {
	n      int64
	parts  [][]byte // the bytes of each window asked, in order
	sum    []byte   // SHA-256 of the bytes from sumFrom on
	header http.Header
}

// readArchive GETs a pre-signed URL with byteRange (and the headers given as name, value pairs),
// expects status want, and streams the body: it keeps the bytes of windows and the SHA-256 of
// those from sumFrom on, and checks its length against Content-Length.
func readArchive(ctx SpecContext, u, byteRange string, want int, windows []window, sumFrom int64, header ...string) archiveRead {
	GinkgoHelper()
	resp := downloadResponse(ctx, u, byteRange, header...)
	defer resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(want), "GET %s %s answered %d, want %d", resp.Request.URL.Path, byteRange, resp.StatusCode, want)
	r := archiveRead{parts: make([][]byte, len(windows)), header: resp.Header}
	h := sha256.New()
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		chunk, off := buf[:n], r.n
		for i, w := range windows {
			if lo, hi := max(w.from, off), min(w.to+1, off+int64(n)); lo < hi {
				r.parts[i] = append(r.parts[i], chunk[lo-off:hi-off]...)
			}
		}
		if end := off + int64(n); end > sumFrom {
			h.Write(chunk[max(sumFrom-off, 0):])
		}
		r.n += int64(n)
		if err == io.EOF {
			break
		}
		noError(err)
	}
	r.sum = h.Sum(nil)
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		Expect(strconv.FormatInt(r.n, 10)).To(Equal(cl), "GET %s %s: the body's length is not its Content-Length", resp.Request.URL.Path, byteRange)
	}
	return r
}

// backupTimeout is how long a new backup may take to be done: a blink on the mock, minutes on
// a live target.
func backupTimeout() time.Duration {
	if suite.live() {
		return 15 * time.Minute
	}
	return 5 * time.Second
}

func backupPolling() time.Duration {
	if suite.live() {
		return 500 * time.Millisecond
	}
	return 10 * time.Millisecond
}
