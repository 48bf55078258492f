// Command prismcheck proves that Prism, as a validating proxy, reads openapi.yaml as the toolkit
// does: it puts Prism in front of an upstream and sends every operation's example request through
// it, and fails unless Prism flags the answer of every operation (and, in -control mode, flags
// none of the mock's answers).
//
// Usage (scripts/prism-proxy.sh runs both):
//
//	go run ./scripts/prismcheck -prism tools/node_modules/.bin/prism            # wrong upstream
//	go run ./scripts/prismcheck -prism tools/node_modules/.bin/prism -control URL # the mock at URL
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

func main() {
	prism := flag.String("prism", "tools/node_modules/.bin/prism", "the Prism CLI")
	control := flag.String("control", "", "upstream base URL (with /api) of a correct server: Prism must flag none of its answers")
	token := flag.String("token", "mock-token", "bearer token sent upstream")
	flag.Parse()
	if err := run(*prism, *control, *token); err != nil {
		fmt.Fprintln(os.Stderr, "prismcheck:", err)
		os.Exit(1)
	}
}

// wrongObject is what the wrong upstream answers, with 200, to the requests of operations that
// describe their answers: a JSON object no operation documents (the required keys are missing, the
// type is wrong, the status or the media type is undocumented).
const wrongObject = `{"wrong":true}`

// wrongAnswer returns the wrong upstream's handler. It answers wrongObject with 200 to everything
// but the requests in weak (method and path), which it answers with a JSON null: their operations
// take any object (a weakly described answer), but none takes null.
func wrongAnswer(weak map[string]bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := wrongObject
		if weak[r.Method+" "+strings.TrimPrefix(r.URL.Path, "/api")] {
			body = "null"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body)
	}
}

// acceptsWrongObject tells whether a success answer of op may be wrongObject: then only a null
// answer is wrong for every one of them.
func acceptsWrongObject(op *openapi3.Operation) bool {
	var v any
	if err := json.Unmarshal([]byte(wrongObject), &v); err != nil {
		panic(err)
	}
	for code, resp := range op.Responses.Map() {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		if mt := resp.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value.VisitJSON(v) == nil {
			return true
		}
	}
	return false
}

func run(prismBin, control, token string) error {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		return err
	}
	requests := exampleRequests(doc)
	upstream := control
	if upstream == "" {
		weak := map[string]bool{}
		for _, r := range requests {
			if r.weak {
				weak[strings.ToUpper(r.method)+" "+r.path] = true
			}
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		go func() { _ = http.Serve(ln, wrongAnswer(weak)) }()
		upstream = "http://" + ln.Addr().String() + "/api"
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, prismBin, "proxy", "openapi.yaml", upstream, "-h", "127.0.0.1", "-p", fmt.Sprint(port))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitFor(base, 60*time.Second); err != nil {
		return fmt.Errorf("%w\n%s", err, logs.String())
	}

	type result struct{ op, status, flagged string }
	var results []result
	failed := 0
	for _, r := range requests {
		status, violations, err := r.send(base, token)
		if err != nil {
			return fmt.Errorf("%s: %w", r.op, err)
		}
		var resp []string
		for _, v := range violations {
			if strings.HasPrefix(v.Location, "response") || strings.Contains(v.Message, "response") {
				resp = append(resp, v.Message)
			}
		}
		ok := len(resp) > 0
		if control != "" {
			ok = len(resp) == 0
		}
		flagged := "-"
		if len(resp) > 0 {
			flagged = resp[0]
		}
		if !ok {
			failed++
			flagged = "FAIL " + flagged
		}
		results = append(results, result{r.op, fmt.Sprint(status), flagged})
	}
	mode := "wrong upstream: every answer must be flagged"
	if control != "" {
		mode = "control, the mock upstream: no answer may be flagged"
	}
	fmt.Printf("Prism %s (%d operations)\n", mode, len(results))
	for _, r := range results {
		fmt.Printf("  %-28s %s  %.100s\n", r.op, r.status, r.flagged)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d operations failed the check", failed, len(results))
	}
	return nil
}

// violation is one entry of Prism's sl-violations header.
type violation struct {
	Location []string `json:"location"`
	Message  string   `json:"message"`
	Severity string   `json:"severity"`
}

type exampleRequest struct {
	op, method, path string
	query            url.Values
	header           http.Header
	body             []byte
	weak             bool // a success answer may be any object (acceptsWrongObject)
}

// exampleRequests builds one request per operation from its first example name (sorted).
func exampleRequests(doc *openapi3.T) []exampleRequest {
	var out []exampleRequest
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			params := parameters(item, op)
			keys := map[string]bool{}
			for _, p := range params {
				for k := range p.Value.Examples {
					keys[k] = true
				}
			}
			var body *openapi3.MediaType
			if op.RequestBody != nil {
				body = op.RequestBody.Value.Content.Get("application/json")
				for k := range body.Examples {
					keys[k] = true
				}
			}
			key := "postgresql"
			if !keys[key] {
				var ks []string
				for k := range keys {
					ks = append(ks, k)
				}
				sort.Strings(ks)
				if len(ks) > 0 {
					key = ks[0]
				}
			}
			r := exampleRequest{op: op.OperationID, method: method, path: path, query: url.Values{}, header: http.Header{}, weak: acceptsWrongObject(op)}
			for _, p := range params {
				ex, ok := p.Value.Examples[key]
				if !ok {
					continue
				}
				v := fmt.Sprint(ex.Value.Value)
				switch p.Value.In {
				case openapi3.ParameterInPath:
					r.path = strings.ReplaceAll(r.path, "{"+p.Value.Name+"}", url.PathEscape(v))
				case openapi3.ParameterInQuery:
					r.query.Set(p.Value.Name, v)
				case openapi3.ParameterInHeader:
					r.header.Set(p.Value.Name, v)
				}
			}
			if body != nil {
				if ex, ok := body.Examples[key]; ok {
					r.body, _ = json.Marshal(ex.Value.Value)
				}
			}
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op < out[j].op })
	return out
}

// parameters are the parameters of op: those of its path item, unless op overrides them (same
// name and location), and its own.
func parameters(item *openapi3.PathItem, op *openapi3.Operation) openapi3.Parameters {
	var out openapi3.Parameters
	for _, p := range item.Parameters {
		if op.Parameters.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			out = append(out, p)
		}
	}
	return append(out, op.Parameters...)
}

// send sends r through Prism at base and returns the status and Prism's violations.
func (r exampleRequest) send(base, token string) (int, []struct {
	Location string
	Message  string
}, error) {
	u := base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	req, err := http.NewRequest(strings.ToUpper(r.method), u, bytes.NewReader(r.body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = r.header.Clone()
	req.Header.Set("Authorization", "Bearer "+token)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	var raw []violation
	if h := resp.Header.Get("sl-violations"); h != "" {
		if err := json.Unmarshal([]byte(h), &raw); err != nil {
			return 0, nil, fmt.Errorf("sl-violations %q: %w", h, err)
		}
	}
	out := make([]struct {
		Location string
		Message  string
	}, len(raw))
	for i, v := range raw {
		out[i].Location = strings.Join(v.Location, ".")
		out[i].Message = v.Message
	}
	return resp.StatusCode, out, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitFor waits until something answers HTTP at base.
func waitFor(base string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/firewall/managed_ranges"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("prism did not start within %s", d)
}
