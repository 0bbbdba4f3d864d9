package httpapi

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/messaging"
)

// consentIn is the seed's GrantConsentRequest (type, value, consentType) with the
// additions a team needs: whose number it is, the preferred channel, where consent was
// given.
type consentIn struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		Type        string     `json:"type" enum:"SMS,WHATSAPP" doc:"The channel."`
		Value       string     `json:"value" maxLength:"32" example:"07400 123456" doc:"The phone number: UK national form or any number with its country code; kept in E.164."`
		ConsentType string     `json:"consentType,omitempty" enum:"TRANSACTIONAL,MARKETING" doc:"TRANSACTIONAL (default): texts about their repairs, the only kind sent and the one that gates sending."`
		UserID      *uuid.UUID `json:"userId,omitempty" doc:"Staff: the member whose number it is (a resident, a contractor's user). Others may only give their own (the default)."`
		Preferred   bool       `json:"preferred,omitempty" doc:"Grant only: make this the person's preferred channel for notifications."`
		Source      string     `json:"source,omitempty" enum:"WEB,API" doc:"Where consent was given: API (default) or WEB (a form)."`
	}
}

func (in *consentIn) change() messaging.ConsentChange {
	b := in.Body
	return messaging.ConsentChange{Channel: b.Type, Phone: b.Value, ConsentType: b.ConsentType, UserID: b.UserID, Preferred: b.Preferred, Source: b.Source}
}

func (in *consentIn) Resolve(huma.Context) []error { return domainDetails(in.change().Check()) }

// ConsentResult is a contact point and the record just written.
type ConsentResult struct {
	ContactPoint messaging.ContactPoint  `json:"contactPoint"`
	Record       messaging.ConsentRecord `json:"record"`
}

type consentListIn struct {
	PageQuery
	Phone   string `query:"phone" maxLength:"32" doc:"Only this number."`
	Channel string `query:"channel" enum:"SMS,WHATSAPP," doc:"Only this channel."`
}

type sendTextIn struct {
	ID   uuid.UUID `path:"id" doc:"The ticket."`
	Body struct {
		Channel          string            `json:"channel" enum:"SMS,WHATSAPP"`
		To               string            `json:"to,omitempty" maxLength:"32" doc:"The number; default the ticket's resident's number on this channel."`
		Body             string            `json:"body,omitempty" maxLength:"1600" doc:"Free text. An SMS longer than SMS_MAX_SEGMENTS segments is cut, with a link to the ticket."`
		ContentSID       string            `json:"contentSid,omitempty" maxLength:"34" doc:"WhatsApp: an approved template's ContentSid, needed outside the 24-hour window after the resident's last message."`
		ContentVariables map[string]string `json:"contentVariables,omitempty" doc:"The template's variables, e.g. {\"1\": \"MT-000042\"}."`
	}
}

func (in *sendTextIn) input() messaging.SendInput {
	b := in.Body
	return messaging.SendInput{Channel: b.Channel, To: b.To, Body: b.Body, ContentSID: b.ContentSID, ContentVariables: b.ContentVariables}
}

func (in *sendTextIn) Resolve(huma.Context) []error { return domainDetails(in.input().Check()) }

type ticketTextsIn struct {
	ID uuid.UUID `path:"id"`
	PageQuery
}

// Twilio's webhook requests are signed forms. huma reads parameters only from the input
// struct's own fields, so each of the two declares them; signedForm is what they share.
type signedForm struct {
	signature string
	body      []byte
	rawQuery  string
}

// twilioInboundIn is a text to one of the organisation's numbers.
type twilioInboundIn struct {
	Signature string `header:"X-Twilio-Signature" doc:"Twilio's signature of the request (HMAC-SHA1 with the auth token over BASE_URL, the path, the query and the form)."`
	Org       string `query:"org" maxLength:"60" doc:"The organisation whose own number this is (its slug), when the number is not the shared one."`
	RawBody   []byte `contentType:"application/x-www-form-urlencoded"`
	rawQuery  string
}

func (in *twilioInboundIn) Resolve(hctx huma.Context) []error {
	in.rawQuery = hctx.URL().RawQuery
	return nil
}

func (in *twilioInboundIn) form() signedForm {
	return signedForm{in.Signature, in.RawBody, in.rawQuery}
}

// twilioStatusIn is a delivery-status callback: a signed form, and the message the
// callback URL names.
type twilioStatusIn struct {
	Signature string `header:"X-Twilio-Signature" doc:"Twilio's signature of the request (HMAC-SHA1 with the auth token over BASE_URL, the path, the query and the form)."`
	OrgID     string `query:"org" maxLength:"36" doc:"The organisation of the message (MaintainUK sets it in the callback URL it gives Twilio)."`
	MessageID string `query:"message" maxLength:"36" doc:"The message (set with org)."`
	RawBody   []byte `contentType:"application/x-www-form-urlencoded"`
	rawQuery  string
}

func (in *twilioStatusIn) Resolve(hctx huma.Context) []error {
	in.rawQuery = hctx.URL().RawQuery
	return nil
}

func (in *twilioStatusIn) form() signedForm { return signedForm{in.Signature, in.RawBody, in.rawQuery} }

func (in *twilioStatusIn) ref() messaging.CallbackRef {
	org, _ := uuid.Parse(in.OrgID)
	msg, _ := uuid.Parse(in.MessageID)
	return messaging.CallbackRef{OrgID: org, MessageID: msg}
}

// verified is the request's form when Twilio signed it.
func (s *Server) verified(path string, in signedForm) (url.Values, error) {
	form, err := url.ParseQuery(string(in.body))
	if err != nil {
		return nil, apperr.New(apperr.BadRequest, "the body is not a form")
	}
	if !s.deps.Messaging.Verify(path, in.rawQuery, form, in.signature) {
		return nil, apperr.New(apperr.Forbidden, "the request does not carry a valid Twilio signature")
	}
	return form, nil
}

// TwimlOut is the answer to an inbound text: TwiML that replies to it (or says nothing).
type TwimlOut struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

type twimlResponse struct {
	XMLName xml.Name `xml:"Response"`
	Message string   `xml:"Message,omitempty"`
}

// StatusAck acknowledges a delivery-status callback.
type StatusAck struct {
	Received bool `json:"received"`
}

func (s *Server) messagingRoutes() {
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/consent/grant", "grantConsent", "Consent", "Record consent to be texted on a number (your own; staff: anyone's)", true),
		func(ctx context.Context, in *consentIn) (*Out[ConsentResult], error) {
			cp, rec, err := s.deps.Messaging.Grant(ctx, actorOf(ctx), in.change(), messaging.RequestMeta{IP: infoFrom(ctx).clientIP, UserAgent: in.UserAgent})
			if err != nil {
				return nil, err
			}
			return ok(ctx, ConsentResult{ContactPoint: cp, Record: rec}), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/consent/revoke", "revokeConsent", "Consent", "Withdraw consent to be texted on a number (your own; staff: anyone's)", true),
		func(ctx context.Context, in *consentIn) (*Out[ConsentResult], error) {
			cp, rec, err := s.deps.Messaging.Revoke(ctx, actorOf(ctx), in.change(), messaging.RequestMeta{IP: infoFrom(ctx).clientIP, UserAgent: in.UserAgent})
			if err != nil {
				return nil, err
			}
			return ok(ctx, ConsentResult{ContactPoint: cp, Record: rec}), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/consent", "listContactPoints", "Consent", "Numbers and their consent now, newest first (your own; staff: the organisation's)", true),
		func(ctx context.Context, in *consentListIn) (*ListOut[messaging.ContactPoint], error) {
			res, err := s.deps.Messaging.ContactPoints(ctx, actorOf(ctx), messaging.ConsentFilter{Phone: in.Phone, Channel: in.Channel}, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/consent/history", "listConsentHistory", "Consent", "Every grant and withdrawal, newest first, with time, IP, user agent and source (your own; staff: the organisation's)", true),
		func(ctx context.Context, in *consentListIn) (*ListOut[messaging.ConsentRecord], error) {
			res, err := s.deps.Messaging.History(ctx, actorOf(ctx), messaging.ConsentFilter{Phone: in.Phone, Channel: in.Channel}, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/tickets/{id}/messages", "sendTicketMessage", "Messages", "Text the resident (or any number) about a ticket by SMS or WhatsApp (staff)", true)),
		func(ctx context.Context, in *sendTextIn) (*Created[messaging.Text], error) {
			t, err := s.deps.Messaging.Send(ctx, actorOf(ctx), in.ID, in.input())
			if err != nil {
				return nil, err
			}
			return created(ctx, t), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/tickets/{id}/messages", "listTicketMessages", "Messages", "A ticket's SMS and WhatsApp messages, both ways, newest first (staff)", true),
		func(ctx context.Context, in *ticketTextsIn) (*ListOut[messaging.Text], error) {
			res, err := s.deps.Messaging.TicketTexts(ctx, actorOf(ctx), in.ID, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, messaging.StatusPath, "twilioStatus", "Webhooks", "Twilio's delivery-status callback (signed by Twilio)", false),
		func(ctx context.Context, in *twilioStatusIn) (*Out[StatusAck], error) {
			form, err := s.verified(messaging.StatusPath, in.form())
			if err != nil {
				return nil, err
			}
			if err := s.deps.Messaging.Status(ctx, in.ref(), form); err != nil {
				return nil, err
			}
			return ok(ctx, StatusAck{Received: true}), nil
		})
	inbound := s.operation(http.MethodPost, messaging.InboundPath, "twilioInbound", "Webhooks", "An SMS or WhatsApp message to the organisation's number (signed by Twilio); answers TwiML", false)
	inbound.Responses = map[string]*huma.Response{"200": {Description: "TwiML: the reply Twilio sends back (none when Message is absent)",
		Content: map[string]*huma.MediaType{"text/xml": {Schema: &huma.Schema{Type: huma.TypeString},
			Example: `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Response><Message>Thanks, we have logged your repair as MT-000042.</Message></Response>`}}}}
	huma.Register(s.api, inbound,
		func(ctx context.Context, in *twilioInboundIn) (*TwimlOut, error) {
			form, err := s.verified(messaging.InboundPath, in.form())
			if err != nil {
				return nil, err
			}
			text, err := messaging.ParseInbound(form)
			if err != nil {
				return nil, apperr.New(apperr.BadRequest, "not an inbound message: From and MessageSid are required")
			}
			reply, err := s.deps.Messaging.HandleInbound(ctx, text, in.Org)
			if err != nil {
				return nil, err
			}
			body, _ := xml.Marshal(twimlResponse{Message: reply})
			return &TwimlOut{ContentType: "text/xml; charset=utf-8", Body: append([]byte(xml.Header), body...)}, nil
		})
	s.describeForm(messaging.StatusPath, map[string]string{
		"MessageSid": "The message's sid (SM…).", "MessageStatus": "queued, sent, delivered, undelivered, failed or read.",
		"ErrorCode": "Twilio's error code, when it failed.", "AccountSid": "The Twilio account.",
	}, "MessageSid", "MessageStatus")
	s.describeForm(messaging.InboundPath, map[string]string{
		"MessageSid": "The message's sid.", "From": "The sender: +44… for SMS, whatsapp:+44… for WhatsApp.",
		"To": "The organisation's number.", "Body": "The text.", "AccountSid": "The Twilio account.",
	}, "MessageSid", "From")
}

// describeForm documents a Twilio webhook's form fields: huma documents a raw body as
// bytes, though Twilio always sends these fields (and more, which are ignored).
func (s *Server) describeForm(path string, fields map[string]string, required ...string) {
	props := map[string]*huma.Schema{}
	for name, doc := range fields {
		props[name] = &huma.Schema{Type: huma.TypeString, Description: doc}
	}
	op := s.api.OpenAPI().Paths[path].Post
	op.RequestBody.Content["application/x-www-form-urlencoded"].Schema = &huma.Schema{
		Type: huma.TypeObject, Properties: props, Required: required, AdditionalProperties: true,
	}
}
