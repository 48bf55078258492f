// Command floor is the quick start written without pkg/scalingodb: the same
// requests (list the users, create a backup, poll it, get its link and
// download the archive to a file) on net/http and encoding/json, through
// go-retryablehttp and the oapi-codegen runtime (libs.go), the dependencies
// the client cannot do without, or with -tags std on the standard library
// alone (std.go). BenchmarkQuickstart builds both beside the quick start:
// their sizes are floors under which no program doing this work on those
// libraries can go.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"
)

type user struct {
	Name     string `json:"name"`
	ReadOnly bool   `json:"read_only"`
}

type backup struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Size   int64  `json:"size"`
}

type client struct {
	base, token string
}

// call sends one request to the API and decodes the value under key.
func (c *client) call(ctx context.Context, method, path, key string, v any) error {
	resp, err := send(ctx, method, c.base+path, c.token)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	var envelope map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(&envelope); err != nil {
		return err
	}
	return json.Unmarshal(envelope[key], v)
}

func main() {
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	c := &client{base: os.Getenv("DBAPI_BASE_URL"), token: os.Getenv("DB_BEARER_TOKEN")}
	db, err := pathParam("database_id", os.Getenv("DBAPI_DATABASE_ID"))
	if err != nil {
		return err
	}
	var users []user
	if err := c.call(ctx, http.MethodGet, "/databases/"+db+"/users", "database-users", &users); err != nil {
		return err
	}
	for _, u := range users {
		fmt.Printf("user %s (read-only: %t)\n", u.Name, u.ReadOnly)
	}
	var b backup
	if err := c.call(ctx, http.MethodPost, "/databases/"+db+"/backups", "database_backup", &b); err != nil {
		return err
	}
	for b.Status != "done" {
		time.Sleep(100 * time.Millisecond)
		if err := c.call(ctx, http.MethodGet, "/backups/"+b.ID, "database_backup", &b); err != nil {
			return err
		}
	}
	var link string
	if err := c.call(ctx, http.MethodGet, "/databases/"+db+"/backups/"+b.ID+"/archive", "download_url", &link); err != nil {
		return err
	}
	resp, err := http.Get(link)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dir, err := os.MkdirTemp("", "floor")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "backup.tar.gz"))
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, b.Size+1))
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	fmt.Printf("downloaded %d bytes\n", n)
	return f.Close()
}
