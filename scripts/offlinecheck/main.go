// Command offlinecheck proves that an HTML page works offline: it lists every reference the page
// holds (src, href, srcset and the like in the markup; url( and @import in styles; import, src
// and href in scripts) and exits 1 when one that the page loads points to another host.
// `make docs` runs it on the API reference.
//
// A navigation link (href of an a or area element, or an href property in a script, which Redoc
// renders as such links) is listed but allowed: the browser fetches it only when it is followed.
// Everything else must be a fragment, a data: or blob: URI, or a bare module name.
//
// Usage:
//
//	go run ./scripts/offlinecheck [-v] FILE.html
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ref is one reference of the page.
type ref struct {
	where string // the element and attribute, or "script" / "style" and the construct
	url   string
	nav   bool // a navigation link, fetched only when followed
}

// external reports whether the reference reaches another host: an absolute URL with a network
// scheme, or a scheme-relative one (//host/...).
func (r ref) external() bool {
	u := strings.TrimSpace(r.url)
	if strings.HasPrefix(u, "//") {
		return true
	}
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return false // a fragment, a relative path or a bare module name
	}
	switch strings.ToLower(u[:i]) {
	case "data", "blob", "about", "javascript", "mailto", "tel":
		return false
	}
	return scheme.MatchString(u[:i])
}

// loadAttrs are the attributes that make a browser fetch what they name (href only on link).
var loadAttrs = map[string]bool{
	"src": true, "srcset": true, "poster": true, "data": true, "background": true,
	"action": true, "formaction": true, "xlink:href": true, "manifest": true, "ping": true,
}

var (
	scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
	// In styles: url(...) and @import "...".
	cssURL    = regexp.MustCompile(`url\(\s*["']?([^)"'\s]*)`)
	cssImport = regexp.MustCompile(`@import\s+["']([^"']*)["']`)
	// In scripts: static and dynamic imports, importScripts, and src/href given as string
	// literals (JSX props, DOM assignments, setAttribute).
	jsFrom        = regexp.MustCompile("\\b(?:import|export)\\b[^;\"'`]*?\\bfrom\\s*([\"'`])([^\"'`]*)[\"'`]")
	jsBareImport  = regexp.MustCompile("\\bimport\\s*([\"'`])([^\"'`]*)[\"'`]")
	jsDynImport   = regexp.MustCompile("\\bimport(?:Scripts)?\\s*\\(\\s*([\"'`])([^\"'`]*)[\"'`]")
	jsSrcHref     = regexp.MustCompile("\\b(src|href|srcset)\\s*[:=]\\s*([\"'`])([^\"'`]*)[\"'`]")
	jsSetAttr     = regexp.MustCompile("setAttribute\\(\\s*[\"'](src|href)[\"']\\s*,\\s*([\"'`])([^\"'`]*)[\"'`]")
	jsTernarySrcs = regexp.MustCompile("\\bsrc\\s*:[^,;{}]*?\\?\\s*([\"'`])([^\"'`]*)[\"'`]\\s*:\\s*([\"'`])([^\"'`]*)[\"'`]")
)

// refs lists every reference of the HTML page r.
func refs(r io.Reader) ([]ref, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parse the page: %w", err)
	}
	var out []ref
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				key := a.Key
				if a.Namespace != "" {
					key = a.Namespace + ":" + a.Key
				}
				switch {
				case key == "href" && (n.DataAtom == atom.A || n.DataAtom == atom.Area):
					out = append(out, ref{where: n.Data + " href", url: a.Val, nav: true})
				case key == "href":
					out = append(out, ref{where: n.Data + " href", url: a.Val})
				case key == "srcset":
					for _, c := range strings.Split(a.Val, ",") {
						if f := strings.Fields(c); len(f) > 0 {
							out = append(out, ref{where: n.Data + " srcset", url: f[0]})
						}
					}
				case loadAttrs[key]:
					out = append(out, ref{where: n.Data + " " + key, url: a.Val})
				case key == "style":
					out = append(out, cssRefs(n.Data+" style", a.Val)...)
				}
			}
			switch n.DataAtom {
			case atom.Style:
				out = append(out, cssRefs("style", text(n))...)
			case atom.Script:
				out = append(out, scriptRefs(text(n))...)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out, nil
}

// text is the text inside an element.
func text(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func cssRefs(where, css string) []ref {
	var out []ref
	for _, m := range cssURL.FindAllStringSubmatch(css, -1) {
		out = append(out, ref{where: where + " url(", url: m[1]})
	}
	for _, m := range cssImport.FindAllStringSubmatch(css, -1) {
		out = append(out, ref{where: where + " @import", url: m[1]})
	}
	return out
}

func scriptRefs(js string) []ref {
	out := cssRefs("script", js) // styled components carry their CSS in the script
	for _, m := range jsFrom.FindAllStringSubmatch(js, -1) {
		out = append(out, ref{where: "script import from", url: m[2]})
	}
	for _, m := range jsBareImport.FindAllStringSubmatch(js, -1) {
		out = append(out, ref{where: "script import", url: m[2]})
	}
	for _, m := range jsDynImport.FindAllStringSubmatch(js, -1) {
		out = append(out, ref{where: "script import(", url: m[2]})
	}
	for _, m := range jsSrcHref.FindAllStringSubmatch(js, -1) {
		out = append(out, ref{where: "script " + m[1], url: m[3], nav: m[1] == "href"})
	}
	for _, m := range jsSetAttr.FindAllStringSubmatch(js, -1) {
		out = append(out, ref{where: "script setAttribute " + m[1], url: m[3]})
	}
	for _, m := range jsTernarySrcs.FindAllStringSubmatch(js, -1) {
		out = append(out, ref{where: "script src", url: m[2]}, ref{where: "script src", url: m[4]})
	}
	return out
}

// errExternal is returned by check when the page loads something from another host.
var errExternal = errors.New("the page loads from another host")

// check lists the references of the page r on w (every one with verbose, else the external
// ones) and returns errExternal when one that the page loads is external.
func check(r io.Reader, w io.Writer, verbose bool) error {
	all, err := refs(r)
	if err != nil {
		return err
	}
	loads, links := 0, 0
	for _, x := range all {
		switch {
		case x.external() && !x.nav:
			loads++
			fmt.Fprintf(w, "EXTERNAL  %-28s %s\n", x.where, x.url)
		case x.external():
			links++
			fmt.Fprintf(w, "link      %-28s %s (fetched only when followed)\n", x.where, x.url)
		case verbose:
			fmt.Fprintf(w, "local     %-28s %.120s\n", x.where, x.url)
		}
	}
	fmt.Fprintf(w, "%d references, %d external loads, %d external navigation links\n", len(all), loads, links)
	if loads > 0 {
		return errExternal
	}
	return nil
}

func main() {
	verbose := flag.Bool("v", false, "list every reference, not only the external ones")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: offlinecheck [-v] FILE.html")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "offlinecheck:", err)
		os.Exit(2)
	}
	defer f.Close()
	if err := check(f, os.Stdout, *verbose); err != nil {
		fmt.Fprintf(os.Stderr, "offlinecheck: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}
