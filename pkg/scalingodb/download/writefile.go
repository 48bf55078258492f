package download

import (
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically, as ToFile writes an archive:
// through a synced temporary file in the same directory, renamed over
// path once complete, so that path holds either its old content or all
// of data, never a part. On failure the temporary file is removed and
// path is left as it was. The file gets mode perm.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = fsync(tmp); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; some systems cannot sync a directory.
	_ = syncDir(dir)
	return nil
}
