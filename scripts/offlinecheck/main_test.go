package main

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		page    string
		wantErr bool
		want    string // a line of the listing
	}{
		{
			name: "a self-contained page",
			page: `<!DOCTYPE html><html><head><style>body{background:url(data:image/png;base64,AAAA)}</style>
<script>const {hydrate} = (() => ({}))(); import("worker_threads"); el.src = "#top";</script></head>
<body><a href="#section">in page</a><img src="data:image/svg+xml,%3Csvg%2F%3E"></body></html>`,
			want: "0 external loads, 0 external navigation links",
		},
		{
			name: "a navigation link to another host is listed, not refused",
			page: `<html><body><a href="https://opensource.org/licenses/MIT">MIT</a>
<script>jsx("a",{href:` + "`https://redocly.com/redoc/`" + `})</script></body></html>`,
			want: "link      a href                       https://opensource.org/licenses/MIT",
		},
		{
			name:    "a script from a CDN",
			page:    `<html><head><script src="https://cdn.example.com/redoc.js"></script></head></html>`,
			wantErr: true,
			want:    "EXTERNAL  script src                   https://cdn.example.com/redoc.js",
		},
		{
			name:    "a module preload",
			page:    `<html><head><link rel="modulepreload" href="https://cdn.example.com/redoc.js"></head></html>`,
			wantErr: true,
			want:    "EXTERNAL  link href                    https://cdn.example.com/redoc.js",
		},
		{
			name:    "an import from a CDN",
			page:    `<html><body><script type="module">import { hydrate } from "https://cdn.example.com/redoc.js";</script></body></html>`,
			wantErr: true,
			want:    "EXTERNAL  script import from           https://cdn.example.com/redoc.js",
		},
		{
			name:    "a dynamic import",
			page:    `<html><body><script>import('//cdn.example.com/chunk.js')</script></body></html>`,
			wantErr: true,
			want:    "EXTERNAL  script import(               //cdn.example.com/chunk.js",
		},
		{
			name:    "a logo chosen in a script",
			page:    "<html><body><script>jsx(`img`,{alt:`logo`,src:e?`https://cdn.example.com/full.svg`:`https://cdn.example.com/mini.svg`})</script></body></html>",
			wantErr: true,
			want:    "EXTERNAL  script src                   https://cdn.example.com/mini.svg",
		},
		{
			name:    "a font in a stylesheet",
			page:    `<html><head><style>@font-face{src:url("https://fonts.example.com/a.woff2")}</style></head></html>`,
			wantErr: true,
			want:    "EXTERNAL  style url(                   https://fonts.example.com/a.woff2",
		},
		{
			name:    "an imported stylesheet",
			page:    `<html><head><style>@import "https://fonts.example.com/css";</style></head></html>`,
			wantErr: true,
			want:    "EXTERNAL  style @import                https://fonts.example.com/css",
		},
		{
			name:    "a background in a style attribute",
			page:    `<html><body><div style="background-image: url(http://img.example.com/bg.png)"></div></body></html>`,
			wantErr: true,
			want:    "EXTERNAL  div style url(               http://img.example.com/bg.png",
		},
		{
			name:    "an engine logo as an image",
			page:    `<html><body><img srcset="data:image/png;base64,AA 1x, https://cdn.example.com/pg.svg 2x"></body></html>`,
			wantErr: true,
			want:    "EXTERNAL  img srcset                   https://cdn.example.com/pg.svg",
		},
		{
			name:    "an SVG image",
			page:    `<html><body><svg><image href="https://cdn.example.com/pg.svg"/></svg></body></html>`,
			wantErr: true,
			want:    "EXTERNAL  image href                   https://cdn.example.com/pg.svg",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := check(strings.NewReader(tt.page), &out, false)
			if tt.wantErr != errors.Is(err, errExternal) || (!tt.wantErr && err != nil) {
				t.Errorf("check: %v, want an external load: %v\n%s", err, tt.wantErr, out.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("the listing lacks %q\n%s", tt.want, out.String())
			}
		})
	}
}
