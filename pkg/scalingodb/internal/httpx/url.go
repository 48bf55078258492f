package httpx

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultRegion is the Scalingo region used when none is given.
const DefaultRegion = "osc-fr1"

// DefaultUserAgent is the User-Agent header sent when none is given.
const DefaultUserAgent = "scalingodb-go"

// regions are the Scalingo regions that host a Database API.
var regions = [...]string{"osc-fr1", "osc-secnum-fr1"}

// CheckRegion returns an *InvalidInputError unless region is a known
// Scalingo region.
func CheckRegion(region string) error {
	for _, r := range regions {
		if r == region {
			return nil
		}
	}
	return &InvalidInputError{Field: "region", Reason: fmt.Sprintf("unknown region %q (known: %s)", region, strings.Join(regions[:], ", "))}
}

// CheckHTTPURL returns an *InvalidInputError unless raw is an absolute http
// or https URL without query, fragment or user information.
func CheckHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &InvalidInputError{Field: "base URL", Reason: "must be an absolute http or https URL"}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return &InvalidInputError{Field: "base URL", Reason: "must not hold a query, fragment or user information"}
	}
	return nil
}

// APIBaseURL returns base ending in "/api", without a trailing slash: the
// base URL of the Database API whether or not its "/api" was given.
func APIBaseURL(base string) string {
	base = strings.TrimRight(base, "/")
	if !strings.HasSuffix(base, "/api") {
		base += "/api"
	}
	return base
}
