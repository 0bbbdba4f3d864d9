package webhooks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
)

// failureText is what the organisation is shown (delivery log, River's error for the job
// aside) for a failed attempt: the kind of failure, never the text of a Go network error,
// which names the resolved address ("dial tcp 10.0.0.5:443: connect: connection
// refused") and would let an endpoint's owner map the internal network through the SSRF
// guard's or the dialer's messages.
func failureText(status int, err error) string {
	if status != 0 {
		if status >= 300 && status < 400 {
			return fmt.Sprintf("HTTP %d (redirects are not followed)", status)
		}
		return fmt.Sprintf("HTTP %d", status)
	}
	var blocked *BlockedError
	var dnsErr *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var recordHeader tls.RecordHeaderError
	var alert tls.AlertError
	var certVerify *tls.CertificateVerificationError
	var netErr net.Error
	switch {
	case errors.As(err, &blocked):
		return "blocked: address not allowed"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "host name not found"
		}
		if dnsErr.IsTimeout {
			return "timed out looking up the host name"
		}
		return "host name lookup failed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr), errors.As(err, &certInvalid), errors.As(err, &certVerify):
		return "TLS certificate not accepted"
	case errors.As(err, &recordHeader), errors.As(err, &alert):
		return "TLS handshake failed"
	case errors.Is(err, http.ErrSchemeMismatch):
		return "TLS handshake failed"
	case errors.Is(err, errPrepare):
		return "could not prepare the message"
	}
	return "connection failed"
}

// errPrepare marks a failure on our side before anything was sent.
var errPrepare = errors.New("webhooks: could not prepare the message")
