package httpapi

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/danielgtaylor/huma/v2"
)

// opDoc is what the document says about one operation beyond its Go types: a description
// and, for an operation with a body, an example request (for a multipart form, its text
// fields). They live in one table,
// keyed by operationId, so the per-resource files stay about behaviour.
type opDoc struct {
	description string
	example     string // the request body as JSON; empty for operations without one
}

// describeOperations fills every registered operation's description and request example
// from operationDocs, and says `security: []` on operations that need no token (rather
// than leaving security out, which readers and linters take as "not decided"). It panics
// on an operation the table does not cover or an example that is not JSON, so a new
// operation cannot be registered undocumented (TestOperationDocs checks the examples
// against the schemas and that the table names no operation that does not exist).
func describeOperations(doc *huma.OpenAPI) {
	for _, path := range sortedPaths(doc) {
		for _, op := range pathOperations(doc.Paths[path]) {
			d, ok := operationDocs[op.OperationID]
			if !ok {
				panic("httpapi: operation " + op.OperationID + " has no entry in operationDocs")
			}
			if d.description != "" {
				if op.Description != "" {
					op.Description = d.description + "\n\n" + op.Description
				} else {
					op.Description = d.description
				}
			}
			if op.Security == nil {
				op.Security = []map[string][]string{}
			}
			if d.example == "" {
				continue
			}
			var example any
			if err := json.Unmarshal([]byte(d.example), &example); err != nil {
				panic(fmt.Sprintf("httpapi: example of %s: %v", op.OperationID, err))
			}
			if op.RequestBody == nil || len(op.RequestBody.Content) != 1 {
				panic("httpapi: operation " + op.OperationID + " has an example but not one request body type")
			}
			for _, mt := range op.RequestBody.Content { // JSON, or a multipart form's fields
				mt.Examples = map[string]*huma.Example{"example": {Summary: "A typical request", Value: example}}
			}
		}
	}
}

// dropPatternDescriptions removes huma's patternDescription keyword from every schema:
// it is not JSON Schema (linters refuse it), and huma has already turned it into the
// readable 422 message ("expected string to be 2 to 31 letters…") when the schema was
// built, so the server's answers keep it. Call after every operation is registered.
func dropPatternDescriptions(doc *huma.OpenAPI) {
	seen := map[*huma.Schema]bool{}
	var walk func(s *huma.Schema)
	walk = func(s *huma.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		s.PatternDescription = ""
		walk(s.Items)
		walk(s.Not)
		for _, p := range s.Properties {
			walk(p)
		}
		for _, list := range [][]*huma.Schema{s.OneOf, s.AnyOf, s.AllOf} {
			for _, sub := range list {
				walk(sub)
			}
		}
		if extra, ok := s.AdditionalProperties.(*huma.Schema); ok {
			walk(extra)
		}
	}
	for _, s := range doc.Components.Schemas.Map() {
		walk(s)
	}
	for _, path := range sortedPaths(doc) {
		for _, op := range pathOperations(doc.Paths[path]) {
			for _, p := range op.Parameters {
				walk(p.Schema)
			}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Content {
					walk(mt.Schema)
				}
			}
		}
	}
}

func sortedPaths(doc *huma.OpenAPI) []string {
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

func pathOperations(item *huma.PathItem) []*huma.Operation {
	var ops []*huma.Operation
	for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Options, item.Head, item.Patch, item.Trace} {
		if op != nil {
			ops = append(ops, op)
		}
	}
	return ops
}

var operationDocs = map[string]opDoc{
	// Health (outside /api/v1 and outside auth)
	"live":  {description: "Answers 200 while the process runs; for a liveness probe. Needs no token and touches no dependency."},
	"ready": {description: "Answers 200 when the database and the job queue answer; for a readiness probe or load balancer. Needs no token."},

	// Auth
	"register": {
		description: "Creates an organisation, your account and your ADMIN membership in one step, and answers a session (access and refresh tokens). " +
			"An email address already used by an account answers 409: log in and ask that organisation's ADMIN to invite you instead. A client whose registrations keep failing is refused for a while (429).",
		example: `{"orgName": "Demo Lettings", "name": "Alex Morgan", "email": "alex@example.co.uk", "password": "correct-horse-battery"}`,
	},
	"login": {
		description: "Answers a session: a 15-minute access token (send it as Authorization: Bearer …) and a refresh token. A wrong email or password answers 401 " +
			"without saying which; repeated failures per account and per client IP answer 429 with Retry-After.",
		example: `{"email": "alex@example.co.uk", "password": "correct-horse-battery"}`,
	},
	"refresh": {
		description: "Exchanges a refresh token for a new access and refresh token. The old refresh token stops working; presenting it again revokes the whole " +
			"session family (it was stolen or replayed). An unknown, expired or revoked token answers 401.",
		example: `{"refreshToken": "rt_3q2-7Vn0bQm4y1kXo9sLzA"}`,
	},
	"logout": {
		description: "Revokes the refresh token and every token rotated from the same login. The access token runs out by itself within ACCESS_TOKEN_TTL.",
		example:     `{"refreshToken": "rt_3q2-7Vn0bQm4y1kXo9sLzA"}`,
	},
	"me":        {description: "Who the access token belongs to: the user, the organisation the token is for, the role there, and the other organisations the user belongs to."},
	"switchOrg": {description: "Answers a new session in another organisation the user is a member of; 404 for one they are not in.", example: `{"orgId": "0b9a4c1e-6f3d-4e2a-9c57-2d8e1f6a7b30"}`},
	"acceptInvitation": {
		description: "Joins the organisation with the role the invitation gives, using the token of the emailed link, and answers a session. Someone without an account " +
			"gives a name and a new password; someone with one gives their existing password. An unknown or expired invitation answers 404, a used one 409.",
		example: `{"token": "inv_Jx8f2Kq0Vb7rT5mZ1wYc4A", "name": "Priya Shah", "password": "a-long-new-password"}`,
	},
	"forgotPassword": {
		description: "Emails the account a link to set a new password.",
		example:     `{"email": "alex@example.co.uk"}`,
	},
	"resetPassword": {
		description: "Sets a new password with the token of the emailed link.",
		example:     `{"token": "pr_Qm4y1kXo9sLzA3q2-7Vn0b", "password": "a-long-new-password"}`,
	},
	"changePassword": {
		description: "Changes your own password; needs the current one.",
		example:     `{"currentPassword": "correct-horse-battery", "newPassword": "a-long-new-password"}`,
	},

	// Members
	"listMembers":     {description: "The organisation's members with their roles (ADMIN only)."},
	"listInvitations": {description: "Invitations sent and not yet accepted or expired (ADMIN only). The token is never shown: it reaches only the invitee, by email."},
	"inviteMember": {
		description: "Emails an invitation to join with a role (ADMIN only). A CONTRACTOR invitation names their company (contractorId); other roles must not. " +
			"The answer is the invitation without its token.",
		example: `{"email": "priya@example.co.uk", "role": "COORDINATOR"}`,
	},
	"changeMemberRole": {
		description: "Changes a member's role (ADMIN only). The organisation keeps at least one ADMIN: demoting the last one answers 409.",
		example:     `{"role": "CONTRACTOR", "contractorId": "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}`,
	},
	"removeMember": {description: "Ends a membership (ADMIN only); the user's sessions in this organisation stop working. Removing the last ADMIN answers 409."},

	// Properties, units and occupancies
	"listProperties": {description: "The organisation's properties (staff only); filter by postcode."},
	"createProperty": {
		description: "Adds a property (staff only). The postcode is checked against the Royal Mail format and stored as upper case with one space.",
		example:     `{"name": "Riverside House", "addressLine1": "12 Riverside Walk", "town": "Leeds", "postcode": "LS1 4DT"}`,
	},
	"getProperty":    {description: "One property (staff only)."},
	"updateProperty": {description: "Changes the fields sent; the others keep their values (staff only).", example: `{"name": "Riverside Court"}`},
	"listUnits":      {description: "The units of a property (staff only)."},
	"createUnit": {
		description: "Adds a unit (a flat, a house) to a property (staff only). Its reference is unique in the organisation (409 if taken) and is what residents " +
			"quote on the public repair form.",
		example: `{"label": "Flat 2", "reference": "DL-12B", "bedrooms": 2}`,
	},
	"getUnit":       {description: "One unit (staff only)."},
	"listOccupants": {description: "The unit's occupancies, current and past (staff only)."},
	"addOccupant": {
		description: "Starts an occupancy: the TENANT member lives in the unit from startsOn and, while it runs, sees the unit's tickets raised from that day (staff only).",
		example:     `{"userId": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "startsOn": "2026-12-01"}`,
	},
	"endOccupancy": {
		description: "Records the move-out: after endsOn the resident no longer sees the unit's tickets nor reports for the unit, but still sees their own reports " +
			"(staff only). An occupancy already ended answers 409.",
		example: `{"endsOn": "2027-11-30"}`,
	},

	// Contractors
	"listContractors": {description: "Contractor companies (staff only); filter by trade or by active."},
	"createContractor": {
		description: "Adds a contractor company (staff only). Invite its people as CONTRACTOR members with its id.",
		example: `{"companyName": "Aire Plumbing Ltd", "trades": ["PLUMBING", "HVAC"], "email": "jobs@aireplumbing.co.uk", "phone": "0113 496 0000", "insuranceExpiresOn": "2027-03-31", ` +
			`"gasSafeNumber": "123456", "gasSafeExpiresOn": "2027-05-31", "niceicNumber": "D123456"}`,
	},
	"getContractor": {description: "One contractor company. Staff see it all; its own CONTRACTOR members see it without the staff's notes."},
	"updateContractor": {
		description: "Changes the fields sent (staff only). Deactivating (active false) locks the company's CONTRACTOR members out at once (403 on every request) until it is reactivated.",
		example:     `{"active": false}`,
	},

	// Settings
	"getSettings": {description: "The organisation's rules: SLA windows per priority, the bank-holiday calendar working days skip, the quote approval threshold and separation of duties."},
	"updateSettings": {
		description: "Changes the settings sent (ADMIN only). An SLA window is either clock hours or working days, above zero.",
		example:     `{"sla": {"EMERGENCY": {"hours": 12}, "URGENT": {"workingDays": 5}}, "holidayRegion": "SCOTLAND", "approvalThresholdPence": 50000}`,
	},

	// Tickets
	"createTicket": {
		description: "Reports a repair on a unit. Staff may set the reporter's details and the assignee; a TENANT reports for a unit they occupy, as themselves. " +
			"The SLA due time follows from the priority. The ticket starts NEW.",
		example: `{"unitId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "category": "PLUMBING", "priority": "URGENT", "title": "Kitchen tap leaking", "description": "Water drips from the base of the tap when it is on."}`,
	},
	"listTickets": {description: "Tickets the caller may see (staff: all; residents: their own and their unit's during their occupancy; contractors: those with their live work orders), with filters and full-text search."},
	"getTicket":   {description: "One ticket with the comments the caller may see. Another organisation's ticket, or one the caller may not see, answers 404."},
	"updateTicket": {
		description: "Changes the fields sent (staff only). Changing the priority recomputes the SLA due time from the report time; unitId links a public report to its unit.",
		example:     `{"priority": "EMERGENCY", "assigneeUserId": "9b2e8f3a-1c4d-4e5f-8a6b-7c8d9e0f1a2b"}`,
	},
	"transitionTicket": {
		description: "Moves a ticket along NEW → TRIAGED → IN_PROGRESS → RESOLVED → CLOSED, or to CANCELLED (staff only). A move the workflow does not allow answers 409; " +
			"cancelling and reopening need a reason.",
		example: `{"to": "TRIAGED"}`,
	},
	"commentOnTicket": {
		description: "Adds a comment. Staff and contractors write INTERNAL comments by default; RESIDENT ones are visible to the resident. Staff may share a comment with a contractor company working on the ticket.",
		example:     `{"body": "Contractor booked for Tuesday morning.", "visibility": "RESIDENT"}`,
	},

	// Attachments
	"uploadAttachment": {
		description: "Attaches a photo (JPEG, PNG, HEIC) or a PDF to a ticket, as multipart/form-data with the file in field file. The type is read from the content, not the name.",
		example:     `{"file": "(the bytes of leak.jpg)", "sharedWithContractorId": "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}`,
	},
	"listAttachments": {description: "The ticket's files the caller may see."},
	"downloadAttachment": {
		description: "The file's bytes, with its content type and a download file name. A file the caller may not see answers 404.",
	},

	// Certificates
	"createCertificate": {
		description: "Records a statutory certificate of a property (staff only): a gas safety record, an EICR, an EPC (with its rating) or a smoke and carbon monoxide alarm check. " +
			"Without expiresOn the expiry follows the kind's rule (gas safety 12 months, keeping the previous expiry plus 12 months for a check done in the 2 months before it; EICR 5 years; EPC 10 years; alarm checks do not expire). " +
			"Upload the document with PUT /api/v1/certificates/{id}/document.",
		example: `{"kind": "GAS_SAFETY", "issuedOn": "2026-03-02", "reference": "CP12-448812", "contractorName": "Aire Plumbing Ltd (Gas Safe 123456)"}`,
	},
	"listCertificates": {description: "A property's certificates, newest first (staff only), each with its state today and, for gas safety, whether the tenant's copy is overdue (28 days)."},
	"getCertificate":   {description: "One certificate (staff only). Another organisation's certificate answers 404."},
	"updateCertificate": {
		description: "Changes the fields sent (staff only): the reference, the contractor's name and the date the tenant was given a copy. A new check is a new certificate.",
		example:     `{"tenantCopySentOn": "2026-03-10"}`,
	},
	"putCertificateDocument": {
		description: "Stores the certificate's document, replacing any earlier one (staff only), as multipart/form-data with the file in field file: a PDF or a JPEG, PNG or HEIC photo, at most 10 MB, its type read from the content.",
		example:     `{"file": "(the bytes of cp12.pdf)"}`,
	},
	"getCertificateDocument": {description: "The certificate's document, with its content type and a download file name (staff only); 404 when none was uploaded."},
	"listCertificateCompliance": {
		description: "Every property, newest first, with the state today (London) of each required kind: VALID, EXPIRING (within 60 days), EXPIRED or MISSING, " +
			"and the latest certificate's expiry (staff only). state keeps the properties with a kind in that state.",
	},

	// Public form
	"publicReport": {
		description: "The public repair form of an organisation, for residents and callers without an account (multipart/form-data, with up to 5 photos). Needs no token.",
		example: `{"name": "Sam Taylor", "email": "sam@example.co.uk", "unitReference": "DL-12B", "title": "No hot water", "description": "The boiler shows error F28 since Monday.", ` +
			`"category": "PLUMBING", "priority": "URGENT"}`,
	},

	// Work orders
	"raiseWorkOrder": {
		description: "Sends a contractor company to a ticket (staff only); the work order starts ASSIGNED and the ticket moves IN_PROGRESS. An inactive company answers 422. " +
			"So does gas work (an HVAC ticket, or one naming gas, a boiler or a flue) to a company without a current Gas Safe registration, and any work to one whose insurance has lapsed, naming what is missing; " +
			"an ADMIN may send it anyway with override and overrideReason, recorded on the timeline (a COORDINATOR's override answers 403). No insurance date on record only warns (warnings).",
		example: `{"ticketId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "contractorId": "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "description": "Replace the kitchen tap cartridge."}`,
	},
	"listWorkOrders": {description: "Work orders, newest first; a contractor sees only their company's."},
	"getWorkOrder":   {description: "One work order; another company's answers 404 to a contractor."},
	"transitionWorkOrder": {
		description: "Takes one step: accept, decline (reason), schedule (scheduledFor, not in the past), start, complete (notes) or cancel (reason, staff only). " +
			"A step the work order's status does not allow answers 409.",
		example: `{"action": "schedule", "scheduledFor": "2027-01-12T09:30:00Z"}`,
	},

	// Quotes
	"submitQuote": {
		description: "The contractor prices a work order: lines of quantity × unit price in pence with a UK VAT rate; totals are computed by the server.",
		example:     `{"lines": [{"description": "Labour", "quantity": 2.5, "unitPricePence": 4500, "vatRatePercent": 20}, {"description": "Tap cartridge", "quantity": 1, "unitPricePence": 1899}], "validUntil": "2027-01-31", "notes": "Parts in stock."}`,
	},
	"listQuotes": {description: "Quotes, newest first; a contractor sees only their company's."},
	"getQuote":   {description: "One quote with its lines and totals."},
	"approveQuote": {
		description: "Approves a submitted quote (staff only) and rejects the work order's other submitted quotes. Above the organisation's approval threshold only an ADMIN may " +
			"approve; under separation of duties, not whoever entered it (403).",
	},
	"rejectQuote":   {description: "Rejects a submitted quote with a reason shown to the contractor (staff only).", example: `{"reason": "Over budget; please requote with a standard tap."}`},
	"withdrawQuote": {description: "The contractor withdraws their own submitted quote."},

	// Invoices
	"submitInvoice": {
		description: "The contractor bills a COMPLETED work order: their invoice number and lines in pence with UK VAT; totals are computed by the server.",
		example:     `{"reference": "INV-1042", "lines": [{"description": "Labour", "quantity": 2.5, "unitPricePence": 4500}], "notes": "Thank you."}`,
	},
	"listInvoices": {description: "Invoices, newest first; a contractor sees only their company's."},
	"getInvoice":   {description: "One invoice with its lines and totals."},
	"approveInvoice": {
		description: "Approves a submitted invoice for payment (staff only); under separation of duties not by whoever entered it (403).",
	},
	"rejectInvoice":   {description: "Rejects a submitted invoice with a reason shown to the contractor (staff only).", example: `{"reason": "The quantity does not match the quote."}`},
	"markInvoicePaid": {description: "Records payment of an approved invoice (staff only); under separation of duties not by whoever approved it (403).", example: `{"paymentReference": "BACS 2027-01-15 MT-000042"}`},
	"invoicePDF":      {description: "The invoice as a PDF document (application/pdf)."},

	// Timeline
	"getTimeline": {description: "Every recorded change to one entity, oldest first, with who made it and, for staff, the before and after values. A ticket's trail includes its work orders, quotes, invoices and files."},

	// Webhooks
	"listWebhooks": {description: "The organisation's webhook endpoints (ADMIN only), without their secrets."},
	"createWebhook": {
		description: "Registers an HTTPS endpoint to receive events as signed POSTs (ADMIN only). The answer holds the signing secret, shown only this once.",
		example:     `{"url": "https://example.co.uk/hooks/maintainuk", "eventTypes": ["ticket.created", "invoice.paid"], "description": "Finance system"}`,
	},
	"getWebhook":            {description: "One webhook endpoint (ADMIN only), without its secret."},
	"updateWebhook":         {description: "Changes the fields sent (ADMIN only); re-enabling an endpoint clears its failure record.", example: `{"enabled": true}`},
	"deleteWebhook":         {description: "Deletes the endpoint and its delivery log (ADMIN only); nothing more is sent to it."},
	"listWebhookDeliveries": {description: "The endpoint's deliveries, newest first, with status, attempts and the last answer (ADMIN only)."},
	"testWebhook":           {description: "Queues a webhook.test message to the endpoint now and answers its delivery (ADMIN only); test sends are limited per organisation."},

	// AI work assist
	"classifyTicket": {description: "Runs the AI classification of the ticket now and records it (staff only). A new ticket is classified by a background job anyway; this asks again, e.g. after its description changed. " +
		"The answer says which provider answered and whether the builtin engine stood in (fallback). With auto-apply on and the confidence at or above the threshold, the ticket is updated at once (priority only ever raised). A closed or cancelled ticket answers 409."},
	"getAiSuggestion":    {description: "The newest AI classification of the ticket: category, priority, confidence, reasoning, hazards spotted, and what became of it (null outcome: waiting for a person). 404 when there is none yet."},
	"acceptAiSuggestion": {description: "Applies the newest suggestion's category and priority to the ticket, on the timeline as ai_accepted (staff only). It never lowers an EMERGENCY; to do that, override. A suggestion already accepted, overridden or auto-applied answers 409."},
	"overrideAiSuggestion": {description: "Applies your own category and priority instead (either defaults to the ticket's current value), on the timeline as ai_overridden, and keeps the reason in the audit (staff only). An auto-applied suggestion may be overridden; one already accepted or overridden answers 409.",
		example: `{"category": "PLUMBING", "priority": "URGENT", "reason": "The leak is from the flat above, not the roof."}`},
	"draftTicketMessage": {description: "Drafts a message about the ticket to the resident, a contractor or the landlord, in the tone chosen (staff only). Nothing is sent: the draft is for you to edit and send. Names removed before the text went to an external provider are put back.",
		example: `{"recipient": "RESIDENT", "tone": "EMPATHETIC", "purpose": "Ask for access on Tuesday morning"}`},
	"summariseTicket":    {description: "A short factual summary of the ticket's story from its timeline and comments, with key points, for reports (staff only)."},
	"estimateTicketCost": {description: "A likely cost range (low, likely, high; pence incl. VAT) for the ticket's repair, with reasoning (staff only). The builtin engine uses published UK price ranges (docs/ai.md lists the sources) adjusted for the region: the one given, else the property's postcode.", example: `{"region": "LONDON"}`},
	"getAiSettings":      {description: "The organisation's AI provider and model, the auto-apply rule and the monthly token allowance (staff only). providerAvailable is false when this deployment has no key for the chosen provider: the builtin engine then answers."},
	"updateAiSettings": {description: "Changes the AI settings (ADMIN only).",
		example: `{"provider": "builtin", "autoApply": true, "autoApplyConfidence": 0.85}`},
	"getAiPrompt": {description: "The prompt template in force for a capability (the organisation's own or the built-in one), the built-in one, and the organisation's saved versions (ADMIN only)."},
	"putAiPrompt": {description: "Saves the organisation's own instructions for a capability as a new version (ADMIN only); null text goes back to the built-in template. The text may use {{.OrgName}}, {{.Tone}} and {{.Recipient}} and nothing else; MaintainUK always adds its safety rules and the answer's format after it, so a template cannot change what the answer may contain.",
		example: `{"text": "You help {{.OrgName}}, a housing association in Leeds, sort residents' repair reports."}`},
	"getAiUsage":       {description: "The organisation's AI calls in a month: calls, fallbacks, tokens and cost per capability and provider, the tokens on the billing meter, and the allowance (ADMIN only)."},
	"listAiDecisions":  {description: "Every AI call, newest first: capability, provider asked and provider that answered, model, prompt version, input hash, tokens, cost, latency, attempts, fallback and its reason, the answer, and what a person did with it (ADMIN only)."},
	"getSelfHelpStats": {description: "How many residents were shown safety advice or self-help on the public form in a month, how many were told it was an emergency, and how many said the advice fixed it (avoided call-outs) (staff only)."},
	"grantConsent": {description: "Records consent to be texted about repairs on a number and channel (SMS or WhatsApp), with the time, the caller's IP address and user agent, and the source. type and value are the channel and the number, as in the original design's GrantConsentRequest. Anyone may record their own; staff may record a resident's (userId), for example consent given on the phone. A number already recorded for another member answers 409 to anyone but staff. preferred makes this the channel notifications use first.",
		example: `{"type": "SMS", "value": "07400 123456", "preferred": true}`},
	"revokeConsent": {description: "Records that a number must not be texted on a channel (same fields as grant). Texts already queued to it are refused when their turn comes. A resident can also text STOP.",
		example: `{"type": "SMS", "value": "07400 123456"}`},
	"listContactPoints":  {description: "Numbers and whether each may be texted now, newest first: your own, or every one in the organisation for staff."},
	"listConsentHistory": {description: "Every grant and withdrawal, newest first, with when, the IP address and user agent, the source (WEB, API, INBOUND_KEYWORD for a STOP or START text, PROVIDER when Twilio reported an opt-out) and who recorded it: your own numbers', or the organisation's for staff."},
	"sendTicketMessage": {description: "Texts about a ticket by SMS or WhatsApp (staff only), to the number given or else the ticket's resident. The answer is the message: PENDING while queued (holdUntil set when the organisation's quiet hours hold it; never for an EMERGENCY ticket), or BLOCKED with statusReason when the number has no consent (nothing is sent). WhatsApp free text outside the 24-hour window after the resident's last WhatsApp message answers 409: send an approved template (contentSid) instead. An SMS is counted in segments (GSM-7 160/153, UCS-2 70/67) and cut to SMS_MAX_SEGMENTS with a link to the ticket; its cost comes from the deployment's price table. At sending the organisation's plan allowance is checked and counted in one step: over it the free plan blocks (BLOCKED), paid plans count the overage.",
		example: `{"channel": "SMS", "body": "Hello, the plumber will call on Tuesday morning. Reply to this text if that does not suit you."}`},
	"listTicketMessages": {description: "The ticket's SMS and WhatsApp messages both ways, newest first, with status (PENDING, SENDING, QUEUED, SENT, DELIVERED, UNDELIVERED, FAILED, READ, BLOCKED, RECEIVED), the provider's sid and error code, segments and cost (staff only)."},
	"twilioStatus": {description: "Twilio's delivery-status callback (MessageSid, MessageStatus, ErrorCode) for texts MaintainUK sent, at the URL given with each (its org and message query name the message, so a callback that overtakes the send's answer still finds it): updates the message (queued, sent, delivered, undelivered, failed, read), never moving it backwards when callbacks arrive out of order. The X-Twilio-Signature header must be Twilio's signature over BASE_URL plus this path and the form, with TWILIO_AUTH_TOKEN; otherwise 403.",
		example: `{"MessageSid": "SM0123456789abcdef0123456789abcdef", "MessageStatus": "delivered", "AccountSid": "AC0123456789abcdef0123456789abcdef"}`},
	"twilioInbound": {description: "A text to the organisation's number (Twilio's incoming-message webhook; signed as for the status callback, else 403). STOP, STOPALL, UNSUBSCRIBE, END, QUIT, CANCEL, OPTOUT (and REVOKE) withdraw consent; START, UNSTOP and YES give it again; HELP answers with the organisation's contact line. From a resident's number, the text comments on their open ticket when it names it (MT-000042) or they reported or texted about one in the last 48 hours, and otherwise opens a ticket for their home. Answers TwiML: the reply (the ticket number, the keyword's confirmation, or for an unknown number the public report form's address).",
		example: `{"MessageSid": "SM0123456789abcdef0123456789abcdef", "From": "+447400123456", "To": "+447700900000", "Body": "The kitchen tap is dripping", "AccountSid": "AC0123456789abcdef0123456789abcdef"}`},
	"listPlans":       {description: "The subscription plans (the original design's SubscriptionPlans): monthly price, what each includes per month (SMS segments, WhatsApp messages, AI tokens, storage in GB), the price of usage beyond that (pence), whether the plan allows it (the free plan blocks it), and the Stripe price. Needs no token."},
	"getBillingUsage": {description: "The organisation's usage in a month (default this month, UTC) against its plan: for each metric (sms, whatsapp, ai_tokens, storage_gb) the allowance, what was used, the overage, the percentage used and the overage's cost in pence; and the month's total overage cost (staff only). Storage is measured as it stands now."},
	"getSubscription": {description: "The organisation's plan, the subscription's status, whether it ends with the current period and when that is, and the payment provider (staff only)."},
	"changePlan": {description: "Moves the organisation to another plan (ADMIN only). Another paid plan changes the subscription's price (the provider prorates); FREE ends the paid plan with its period; the plan that was set to end keeps it. With the local provider (the default: nothing is charged) a first paid plan starts and every change applies at once; with Stripe a first paid plan is bought at checkout (POST /billing/checkout; 409 here). On the organisation's timeline.",
		example: `{"plan": "STARTER"}`},
	"cancelSubscription": {description: "Ends the paid plan when its current period ends (ADMIN only); 409 without a paid plan. With the local provider the organisation is back on Free at once. On the organisation's timeline."},
	"resumeSubscription": {description: "Keeps a paid plan that was set to end with its period (ADMIN only); 409 when it was not. On the organisation's timeline."},
	"billingStatement":   {description: "The organisation's usage statement for a month (default this month, UTC) as a PDF (application/pdf): the plan and its price, each metric's allowance, use, overage and cost, and the total (ADMIN only). MaintainUK's own account of the month; what is charged is on the invoices."},
	"startCheckout": {description: "Opens the payment provider's checkout for the organisation's first paid plan (ADMIN only); the answer's url is the page to send the ADMIN to. The plan applies when Stripe reports the payment (checkout.session.completed, by webhook). 409 when the organisation has a paid plan already (change it with upgrade). With the local provider there is nothing to pay: the plan applies at once and url is the billing page.",
		example: `{"plan": "STARTER"}`},
	"openBillingPortal":   {description: "Opens a session of Stripe's billing portal for the organisation (ADMIN only): payment method, invoices and receipts; it returns to BASE_URL/billing. With the local provider, where nothing is charged, url is the billing page."},
	"listBillingInvoices": {description: "The payment provider's invoices to the organisation, newest first (ADMIN only): number, status, total in pence, currency, and the links to the provider's page for it and its PDF. Empty with the local provider, which charges nothing. The month's usage statement, our own account, is GET /billing/statement."},
	"stripeWebhook": {description: "Stripe's webhook endpoint (configure BASE_URL/webhooks/stripe in Stripe with these events: checkout.session.completed, customer.subscription.created, customer.subscription.updated, customer.subscription.deleted, invoice.paid, invoice.payment_failed). The Stripe-Signature header must be Stripe's signature with STRIPE_WEBHOOK_SECRET, signed within STRIPE_WEBHOOK_TOLERANCE of now; otherwise 400. Each event is applied once (a repeat answers duplicate: true). The subscription it names is read afresh from Stripe and the organisation's plan and status set from it, so events arriving late or out of order never undo a newer state; past_due or unpaid pauses billable actions (402) until paid. Other event types, and events about customers MaintainUK does not know, are acknowledged and ignored.",
		example: `{"id": "evt_1QabcdEFghijKLmn", "object": "event", "type": "invoice.paid", "created": 1764720000, "data": {"object": {"id": "in_1QabcdEFghijKLmn", "object": "invoice", "customer": "cus_QabcdEFghijKLm", "parent": {"subscription_details": {"subscription": "sub_1QabcdEFghijKLmn"}}}}}`},
	"listHazards": {description: "The 29 hazards of the Housing Health and Safety Rating System (Schedule 1 to the Housing Health and Safety Rating System (England) Regulations 2005), in the Schedule's order, with the codes tickets are tagged with (any member)."},
	"setTicketHazards": {description: "Replaces the HHSRS hazards a ticket is tagged with (staff only); an empty list clears them, an unknown code answers 422 naming its index. On the ticket's timeline (hazards_tagged). The AI's classification proposes hazards (hhsrsHazards on its suggestion) and accepting it adds them. The ticket's hazards are in its detail (GET /tickets/{id}).",
		example: `{"hazards": ["DAMP_MOULD", "EXCESS_COLD"]}`},
	"listRightToRepairDefects": {description: "The qualifying repairs of the Right to Repair (the Schedule to the Secure Tenants of Local Housing Authorities (Right to Repair) Regulations 1994, SI 1994/133) and their prescribed periods in working days (any member)."},
	"listTicketClocks":         {description: "The legal clocks a ticket runs against, oldest first: Awaab's Law's (for SOCIAL and COUNCIL landlords: an EMERGENCY starts the 24-hour clock, a DAMP_MOULD hazard the 10-working-day investigation; recording the investigation starts the 3-day summary and the 5-day safety work, the safety work the further work) and the Right to Repair's (COUNCIL). Each with its source in law, start, due time (time paused added), and state: RUNNING, PAUSED, MET or BREACHED. Anyone who may see the ticket (a resident sees the countdown on their repair)."},
	"recordClockMilestone": {description: "Records that a step the clocks wait for happened now (staff only): the running clocks it meets stop (MET, or BREACHED when late), and the clocks it starts start. On the ticket's timeline. Resolving, closing or cancelling the ticket stops every running clock. 409 on a closed ticket.",
		example: `{"milestone": "INVESTIGATED"}`},
	"pauseTicketClocks": {description: "Pauses a ticket's running clocks while the landlord waits on access (staff only), with the reason, on the timeline; the time paused is added to each due time on resume. 409 when none is running.",
		example: `{"reason": "The tenant refused access on 3 December; revisit booked for 8 December."}`},
	"resumeTicketClocks": {description: "Restarts a ticket's paused clocks, adding the time they waited to their due times (staff only); 409 when none is paused."},
	"setRightToRepairDefect": {description: "Names the ticket's qualifying repair under the Right to Repair, starting its clock from now (staff only). 409 unless the organisation's landlord is COUNCIL; 422 for an unknown defect.",
		example: `{"defect": "LEAKING_ROOF"}`},
	"exportTicketEvidence": {description: "The ticket's evidence for an ombudsman complaint or a disrepair claim, as a PDF (application/pdf; staff only, 403 for others): the ticket, its property and unit, reporter (with their contact details), hazards and the landlord's regime; each legal clock with its source, start, due time, pauses and their reasons, stop and outcome (met, or breached by how long); and one chronology, oldest first, of its history, comments, emails and texts to and from the resident, photos (JPEG and PNG drawn in) and other files (name, size, SHA-256). " +
		"Times are Europe/London; pages are numbered. The export is recorded on the ticket's timeline (evidence_exported, by the caller) and lists itself last."},
	"publicTriage": {description: "Advice for a resident before they submit the public repair form: the likely category and priority, what to do now in an emergency (gas: leave, no switches, call 0800 111 999), and self-help for common faults (boiler pressure, a tripped RCD, a blocked sink). Needs no token; limited per client (429 with Retry-After). " +
		"Always answered by the builtin engine: the text goes to no external provider. Creates no ticket.",
		example: `{"title": "Boiler pressure low", "description": "The gauge is on 0.5 and the heating has gone off."}`},
	"publicTriageOutcome": {description: "Records the resident's answer to the advice: fixed (\"that fixed it\": an avoided call-out) or not, once per triage and within a day of it. Needs no token.",
		example: `{"fixed": true, "guideId": "boiler-pressure"}`},
}
