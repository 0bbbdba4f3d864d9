package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"

	"github.com/maintainuk/maintainuk/internal/access"
)

// requestInfo is created once per request by the outermost middleware and filled in as
// the request is understood (who is acting), so the access log can name them.
type requestInfo struct {
	traceID  string
	clientIP string
	actor    *access.Actor
	authErr  error // a bearer token was sent but did not verify
	logger   *slog.Logger
	// maxBodyBytes is the configured body limit, for the 413 message.
	maxBodyBytes int64
	// server answers the request: input checks that depend on its configuration (a
	// webhook URL's scheme) reach it from their resolvers.
	server *Server
}

type requestInfoKey struct{}

func withRequestInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

func traceID(ctx context.Context) string { return infoFrom(ctx).traceID }

func loggerFrom(ctx context.Context) *slog.Logger {
	if l := infoFrom(ctx).logger; l != nil {
		return l
	}
	return slog.Default()
}

// newTraceID returns a W3C trace id (16 random bytes, hex), or the one in an incoming
// traceparent header so a request can be followed across services.
func newTraceID(r *http.Request) string {
	if tp := r.Header.Get("Traceparent"); len(tp) == 55 && tp[2] == '-' && tp[35] == '-' {
		id := tp[3:35]
		// W3C Trace Context: lowercase hex only, not all zeros; anything else is ignored.
		if _, err := hex.DecodeString(id); err == nil && id == strings.ToLower(id) && id != strings.Repeat("0", 32) {
			return id
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
