// Package compiled tests the contract suite as the tool others run in their CI: compiled once
// (as make contract-binary builds bin/scalingodb-contract), run from a folder outside the
// checkout against targets started by the test on 127.0.0.1, and judged by its exit code, its
// stdout and its reports: the verdict's exit code, secrets kept out of every output, downloads
// kept to the allowed hosts, the HTML report matching the run's data.
package compiled
