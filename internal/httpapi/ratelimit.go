package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
)

// RateLimits are the API's request limits (API_RATE_LIMIT, API_ORG_RATE_LIMIT); a nil
// counter limits nothing. The login, registration and public-form limits are the domain
// services' own and apply besides these.
type RateLimits struct {
	// PerClient counts a member's requests (user and organisation) when a valid token is
	// sent, an IP address's (IPv6 by /64) otherwise.
	PerClient ratelimit.Counter
	// PerOrg counts every member of an organisation together.
	PerOrg ratelimit.Counter
}

// The headers every limited answer carries (draft-ietf-httpapi-ratelimit-headers).
const (
	headerLimit     = "RateLimit-Limit"
	headerRemaining = "RateLimit-Remaining"
	headerReset     = "RateLimit-Reset"
)

// limited reports whether the API limits count a request to path: every /api/ request.
// Health checks, /metrics, the document and the web UI are outside /api/.
func limited(path string) bool { return strings.HasPrefix(path, "/api/") }

// limitRate counts each /api/ request against its client's limit and, for a member,
// their organisation's, and answers 429 with Retry-After beyond either. Every answer it
// counts carries RateLimit-Limit, -Remaining and -Reset of the tighter of the two. A
// request refused for its client is not counted for its organisation, so one member's
// flood does not use up the colleagues' quota. When a shared counter cannot be reached
// the request is served (and logged): the limits protect the service, they are not worth
// refusing every request for.
func (s *Server) limitRate(next http.Handler) http.Handler {
	limits := s.deps.RateLimits
	if limits.PerClient == nil && limits.PerOrg == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !limited(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		info := infoFrom(ctx)
		var decisions []ratelimit.Decision
		take := func(c ratelimit.Counter, key string) bool {
			d, err := c.Take(ctx, key)
			if err != nil {
				loggerFrom(ctx).WarnContext(ctx, "rate limit not checked", "trace_id", info.traceID, "error", err)
				return true
			}
			decisions = append(decisions, d)
			return d.Allowed
		}
		allowed := true
		if limits.PerClient != nil {
			key := "ip:" + ratelimit.ClientKey(info.clientIP)
			if info.actor != nil {
				key = "member:" + info.actor.OrgID.String() + ":" + info.actor.UserID.String()
			}
			allowed = take(limits.PerClient, key)
		}
		if allowed && limits.PerOrg != nil && info.actor != nil {
			allowed = take(limits.PerOrg, "org:"+info.actor.OrgID.String())
		}
		if len(decisions) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		d := tightest(decisions)
		reset := seconds(d.Reset)
		h := w.Header()
		h.Set(headerLimit, strconv.Itoa(d.Limit))
		h.Set(headerRemaining, strconv.Itoa(d.Remaining))
		h.Set(headerReset, strconv.Itoa(reset))
		if !allowed {
			msg := "too many requests; try again in " + strconv.Itoa(reset) + " s"
			if info.actor != nil && len(decisions) == 2 {
				msg = "your organisation has made too many requests; try again in " + strconv.Itoa(reset) + " s"
			}
			writeEnvelope(w, newErrorEnvelope(ctx, loggerFrom(ctx), 0, "", &apperr.Error{
				Code: apperr.RateLimited, Message: msg, RetryAfter: time.Duration(reset) * time.Second,
			}))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tightest is the refusing decision, else the one with the fewest requests left.
func tightest(ds []ratelimit.Decision) ratelimit.Decision {
	best := ds[0]
	for _, d := range ds[1:] {
		if !d.Allowed || (best.Allowed && d.Remaining < best.Remaining) {
			best = d
		}
	}
	return best
}

// seconds rounds a wait up to whole seconds, at least 1: a client told 0 would retry at once.
func seconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
