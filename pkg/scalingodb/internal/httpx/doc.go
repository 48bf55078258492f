// Package httpx is the layer under the Scalingo Database API client, its
// downloader and its token sources: the error types they share, bounded
// reads of answers, the redirect policy, retry classification and waits,
// and Secret. It knows nothing of the API's operations and imports none of
// the packages above it (scalingodb, download, auth), so that they can all
// import it without a cycle.
package httpx
