package backupsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"
)

// Destination is where the copies go: a local folder or a bucket.
type Destination struct {
	bucket *blob.Bucket
	// s3 and s3Bucket are the S3 client and bucket name of an s3:// URL,
	// through which archives are uploaded (see s3Upload).
	// s3KeyPrefix is the prefix= parameter of the URL, which the bucket
	// adds to keys and an upload through s3 adds too.
	s3          *s3.Client
	s3Bucket    string
	s3KeyPrefix string
	prefix      string // keys start with prefix + "/" unless it is ""
	dir         string // the folder, for a local folder
	name        string // printable description, without credentials
}

// UnsupportedURLError is a destination URL whose scheme this build does not
// open. gs:// and azblob:// are built in only with the build tags gcs and
// azblob: their SDKs would slow the start of every command of the tool
// (BenchmarkCLIStartup measures each).
type UnsupportedURLError struct {
	// Scheme is the URL's scheme.
	Scheme string
}

func (e *UnsupportedURLError) Error() string {
	return fmt.Sprintf("backupsync: unsupported destination scheme %q: use a folder, file:///PATH or s3://BUCKET/PREFIX (gs:// and azblob:// need a build with -tags gcs or -tags azblob)", e.Scheme)
}

// Open opens a destination: a folder path, file:///PATH, or
// s3://BUCKET[/PREFIX][?region=…&endpoint=…&use_path_style=true] for AWS and
// S3-compatible stores, with the AWS SDK's default credential chain
// (AWS_ACCESS_KEY_ID…, AWS_PROFILE, an instance role). A folder is created
// if missing (mode 0700). Any other scheme whose driver is registered with
// gocloud.dev's default URL mux also opens: gs:// in a build with -tags gcs,
// azblob:// with -tags azblob.
func Open(ctx context.Context, rawURL string) (*Destination, error) {
	if !strings.Contains(rawURL, "://") {
		return openDir(rawURL, rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("backupsync: destination %q is not a URL: %w", redact(rawURL), errors.Unwrap(err))
	}
	switch u.Scheme {
	case fileblob.Scheme:
		p := u.Path
		if u.Host == "." {
			p = "." + p
		} else if u.Host != "" {
			return nil, fmt.Errorf("backupsync: destination %s: a file URL has no host: file:///absolute/path or file://./relative", redact(rawURL))
		}
		return openDir(p, redact(rawURL))
	case s3blob.Scheme:
		prefix := strings.Trim(u.Path, "/")
		u.Path, u.RawPath = "", ""
		u.User = nil
		b, client, keyPrefix, err := openS3(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("backupsync: cannot open %s: %w", redact(rawURL), err)
		}
		return &Destination{bucket: b, s3: client, s3Bucket: u.Host, s3KeyPrefix: keyPrefix, prefix: prefix, name: redact(rawURL)}, nil
	}
	if blob.DefaultURLMux().ValidBucketScheme(u.Scheme) {
		// A driver a build tag added (gs://, azblob://) or a program
		// registered: the path is the prefix, as for s3://.
		prefix := strings.Trim(u.Path, "/")
		u.Path, u.RawPath = "", ""
		b, err := blob.OpenBucket(ctx, u.String())
		if err != nil {
			return nil, fmt.Errorf("backupsync: cannot open %s: %w", redact(rawURL), err)
		}
		return &Destination{bucket: b, prefix: prefix, name: redact(rawURL)}, nil
	}
	return nil, &UnsupportedURLError{Scheme: u.Scheme}
}

// openDir opens a local folder.
func openDir(dir, name string) (*Destination, error) {
	if dir == "" {
		return nil, errors.New("backupsync: empty destination folder")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("backupsync: cannot create the destination folder: %w", err)
	}
	b, err := fileblob.OpenBucket(abs, &fileblob.Options{Metadata: fileblob.MetadataDontWrite, NoTempDir: true, DirFileMode: 0o700})
	if err != nil {
		return nil, fmt.Errorf("backupsync: cannot open %s: %w", name, err)
	}
	return &Destination{bucket: b, dir: abs, name: name}, nil
}

// NewDestination returns a destination over an open bucket, whose keys
// start with prefix (may be ""); programs that configure their own driver
// use it. Archives go to the bucket as streams (never through a local file).
// Close closes the bucket.
func NewDestination(b *blob.Bucket, prefix string) *Destination {
	return &Destination{bucket: b, prefix: strings.Trim(prefix, "/"), name: "bucket"}
}

// String describes the destination without credentials.
func (d *Destination) String() string { return d.name }

// Bucket returns the destination's bucket, for reads a program adds.
func (d *Destination) Bucket() *blob.Bucket { return d.bucket }

// Close releases the destination.
func (d *Destination) Close() error { return d.bucket.Close() }

// key returns the key of name in the folder of databaseID.
func (d *Destination) key(databaseID, name string) string {
	return joinKey(d.prefix, databaseID, name)
}

// readManifest returns the manifest of a database, an empty one when there
// is none.
func (d *Destination) readManifest(ctx context.Context, databaseID string) (*Manifest, error) {
	key := d.key(databaseID, ManifestName)
	r, err := d.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return &Manifest{Format: ManifestFormat, DatabaseID: databaseID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backupsync: cannot read %s: %w", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("backupsync: cannot read %s: %w", key, err)
	}
	if len(data) > maxManifestBytes {
		return nil, &ManifestError{Key: key, Reason: fmt.Sprintf("larger than %d MiB", maxManifestBytes>>20)}
	}
	return decodeManifest(key, databaseID, data)
}

// writeManifest replaces the manifest of m's database, atomically.
func (d *Destination) writeManifest(ctx context.Context, m *Manifest) error {
	data, err := m.encode()
	if err != nil {
		return err
	}
	key := d.key(m.DatabaseID, ManifestName)
	if err := d.writeObject(ctx, key, data); err != nil {
		return fmt.Errorf("backupsync: cannot write %s: %w", key, err)
	}
	return nil
}

// objects lists the objects in the folder of a database: name (relative to
// the folder) to size.
func (d *Destination) objects(ctx context.Context, databaseID string) (map[string]int64, error) {
	dirKey := d.key(databaseID, "") + "/"
	out := map[string]int64{}
	it := d.bucket.List(&blob.ListOptions{Prefix: dirKey})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("backupsync: cannot list %s: %w", dirKey, err)
		}
		if !obj.IsDir {
			out[strings.TrimPrefix(obj.Key, dirKey)] = obj.Size
		}
	}
}

// folder reads the manifest of a database's folder, then lists the
// folder's objects (see readManifest and objects).
func (d *Destination) folder(ctx context.Context, databaseID string) (*Manifest, map[string]int64, error) {
	m, err := d.readManifest(ctx, databaseID)
	if err != nil {
		return nil, nil, err
	}
	objects, err := d.objects(ctx, databaseID)
	return m, objects, err
}

// databases lists the database folders under the prefix.
func (d *Destination) databases(ctx context.Context) ([]string, error) {
	prefix := ""
	if d.prefix != "" {
		prefix = d.prefix + "/"
	}
	var out []string
	it := d.bucket.List(&blob.ListOptions{Prefix: prefix, Delimiter: "/"})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("backupsync: cannot list %s: %w", d.name, err)
		}
		if obj.IsDir {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(obj.Key, prefix), "/"))
		}
	}
}

// tempPrefix and tempSuffix frame the name of a folder's temporary
// manifest.
const tempPrefix, tempSuffix = ".manifest-", ".tmp"

// removeStaleTemps removes, from a folder's database, the temporary
// manifests and the temporary files of the lock's creation (see
// isLockTemp) that a killed run left (a run that ends removes its own), and
// drops them from objects. It runs under the database's lock: the
// temporary manifests it finds are no other run's. A lock temporary file of
// a run trying the lock right now may go too: its link then fails, and
// its O_EXCL fallback finds the lock held, as the link would have.
func (d *Destination) removeStaleTemps(databaseID string, objects map[string]int64) {
	if d.dir == "" {
		return
	}
	for name := range objects {
		if strings.HasPrefix(name, tempPrefix) && strings.HasSuffix(name, tempSuffix) && !strings.Contains(name, "/") || isLockTemp(name) {
			if err := os.Remove(filepath.Join(d.dir, filepath.FromSlash(d.key(databaseID, name)))); err == nil || errors.Is(err, os.ErrNotExist) {
				delete(objects, name)
			}
		}
	}
}

// writeFileAtomic writes data to a synced temporary file next to path and
// renames it over path, then syncs the folder: a reader sees the old file
// or the new one, never a part.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tempPrefix+"*"+tempSuffix)
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if df, err := os.Open(dir); err == nil {
		_ = df.Sync()
		_ = df.Close()
	}
	return nil
}

// redact removes the user information of a URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User = nil
	return u.String()
}
