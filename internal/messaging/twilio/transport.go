package twilio

import (
	"context"
	"net/http"
	"net/url"

	twclient "github.com/twilio/twilio-go/client"
)

// hostClient sends the SDK's requests, built for https://api.twilio.com, to base.
type hostClient struct {
	*twclient.Client
	base string
}

func (h hostClient) SendRequest(method, rawURL string, data url.Values,
	headers map[string]interface{}, body ...byte) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return h.Client.SendRequest(method, h.base+u.RequestURI(), data, headers, body...)
}

// callTransport gives each request of one call the call's context, which the SDK does
// not (it builds requests on context.Background), and remembers the last HTTP status so
// an answer whose body is not Twilio's error JSON still tells what came back.
type callTransport struct {
	ctx    context.Context
	next   http.RoundTripper
	status int
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req.WithContext(t.ctx))
	if resp != nil {
		t.status = resp.StatusCode
	}
	return resp, err
}
