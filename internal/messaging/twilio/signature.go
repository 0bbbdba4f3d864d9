package twilio

import (
	"net/url"
	"strings"

	twclient "github.com/twilio/twilio-go/client"
)

// ValidSignature says whether signature (the X-Twilio-Signature header) is Twilio's for
// a POST of form to fullURL, the URL as Twilio called it. It uses the SDK's validator,
// which signs the first value of each form key.
func ValidSignature(authToken, fullURL string, form url.Values, signature string) bool {
	if signature == "" || authToken == "" {
		return false
	}
	params := make(map[string]string, len(form))
	for k, v := range form {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	v := twclient.NewRequestValidator(authToken)
	return v.Validate(fullURL, params, signature)
}

// PublicURL is the URL Twilio signed: the configured public base URL (a trailing slash
// tolerated) with the request's path and query. It is built from configuration, not
// from the request's Host and scheme, because a proxy in front may rewrite those.
func PublicURL(baseURL, path, rawQuery string) string {
	u := strings.TrimRight(baseURL, "/") + path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return u
}
