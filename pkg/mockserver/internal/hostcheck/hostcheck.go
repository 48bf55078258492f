// Package hostcheck tells whether a host can be the authority of a link a client follows: the
// links the mock hands out (download URLs, an upgrade's Location) are built on the Host of the
// request or the base URL of WithPublicURL, and either must name a host a client can dial.
package hostcheck

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Quote quotes a Host for a message, cut to 64 bytes: net/http lets a Host of up to a megabyte
// through.
func Quote(h string) string {
	if len(h) > 64 {
		return strconv.Quote(h[:64]) + "…"
	}
	return strconv.Quote(h)
}

// Check reports why host ("name", "name:port", "[IPv6]", "[IPv6]:port") cannot be the authority
// of a link a client follows: empty, a name with characters outside letters, digits, "-", "_" and
// ".", an empty or over-long label, a numeric name that is no IPv4 address, an IPv6 literal out of
// brackets or with a zone, a port that is empty, not a number, or outside 1..65535.
func Check(host string) error {
	if host == "" {
		return errors.New("no host")
	}
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return errors.New("the [ of an IPv6 address is not closed")
		}
		addr, err := netip.ParseAddr(host[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return errors.New("no IPv6 address (without zone) between [ and ]")
		}
		rest := host[end+1:]
		if rest == "" {
			return nil
		}
		if rest[0] != ':' {
			return errors.New("characters after the IPv6 address")
		}
		return checkPort(rest[1:])
	}
	name, port, hasPort := strings.Cut(host, ":")
	if hasPort && strings.Contains(port, ":") {
		return errors.New("an IPv6 address must be in brackets")
	}
	if err := checkName(name); err != nil {
		return err
	}
	if hasPort {
		return checkPort(port)
	}
	return nil
}

// checkPort reports why p is no port a client can dial.
func checkPort(p string) error {
	if p == "" {
		return errors.New("empty port")
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return fmt.Errorf("port %s is not a number", Quote(p))
		}
	}
	if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("port %s is outside 1..65535", Quote(p))
	}
	return nil
}

// checkName reports why name is neither a host name nor an IPv4 address.
func checkName(name string) error {
	if name == "" {
		return errors.New("no host name")
	}
	n := strings.TrimSuffix(name, ".") // a fully qualified name may end in a dot
	if len(n) > 253 {
		return errors.New("host name longer than 253 characters")
	}
	numeric := true
	for _, label := range strings.Split(n, ".") {
		if label == "" {
			return errors.New("empty label in the host name")
		}
		if len(label) > 63 {
			return errors.New("label longer than 63 characters in the host name")
		}
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
				numeric = false
			default:
				return fmt.Errorf("character %q is not allowed in a host name", label[i:i+1])
			}
		}
	}
	if numeric {
		if addr, err := netip.ParseAddr(n); err != nil || !addr.Is4() {
			return errors.New("numeric host name that is no IPv4 address")
		}
	}
	return nil
}
