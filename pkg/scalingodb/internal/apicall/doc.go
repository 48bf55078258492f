// Package apicall sends the operations of the Scalingo Database API
// through the generated client (gen/dbapi) for package scalingodb: the
// table of operations, the HTTP clients and their transports, the binding
// of a request to its generated method, the call itself (token, timeout,
// logs, the mapping of failures to the error types of package httpx and
// whether a call sent once may have taken effect), and the decoding of an
// answer under its envelope with its required fields checked. It knows
// the operations but none of the services built on them.
package apicall
