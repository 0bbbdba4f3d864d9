// Package schema holds what each AI capability reads and answers, and the JSON Schema
// every answer is checked against before anything uses it, whoever produced it.
package schema

// Hazards a classification can spot.
const (
	HazardGas                = "GAS"
	HazardElectrics          = "ELECTRICS"
	HazardWaterNearElectrics = "WATER_NEAR_ELECTRICS"
	HazardDampMouldHealth    = "DAMP_MOULD_HEALTH"
	HazardVulnerableOccupant = "VULNERABLE_OCCUPANT"
	HazardInsecureHome       = "INSECURE_HOME"
)

// Hazards lists every hazard, in documentation order.
var Hazards = []string{HazardGas, HazardElectrics, HazardWaterNearElectrics, HazardDampMouldHealth, HazardVulnerableOccupant, HazardInsecureHome}

// Categories and priorities, as tickets has them.
var (
	Categories = []string{"PLUMBING", "ELECTRICAL", "HVAC", "APPLIANCE", "STRUCTURAL", "PEST_CONTROL", "OTHER"}
	Priorities = []string{"ROUTINE", "URGENT", "EMERGENCY"}
)

// ClassifyInput is a repair report as the resident wrote it.
type ClassifyInput struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Classification is the suggested category and priority of a report.
type Classification struct {
	Category   string   `json:"category"`
	Priority   string   `json:"priority"`
	Confidence float64  `json:"confidence"`
	Reasoning  string   `json:"reasoning"`
	Hazards    []string `json:"hazards"`
}

// Tones and recipients of a draft.
var (
	Tones      = []string{"FORMAL", "FRIENDLY", "EMPATHETIC", "FIRM"}
	Recipients = []string{"RESIDENT", "CONTRACTOR", "LANDLORD"}
)

// TimelineItem is one line of a ticket's story, oldest first.
type TimelineItem struct {
	At     string `json:"at"` // RFC 3339, UTC
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Detail string `json:"detail,omitempty"`
}

// TicketFacts is what drafting and summaries read of a ticket.
type TicketFacts struct {
	Number      string         `json:"number"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Priority    string         `json:"priority"`
	Status      string         `json:"status"`
	Address     string         `json:"address,omitempty"`
	Resident    string         `json:"resident,omitempty"`
	SLADueAt    string         `json:"slaDueAt,omitempty"`
	Timeline    []TimelineItem `json:"timeline,omitempty"`
}

// DraftInput asks for a message about a ticket.
type DraftInput struct {
	Ticket    TicketFacts `json:"ticket"`
	Tone      string      `json:"tone"`
	Recipient string      `json:"recipient"`
	// Purpose is what the message is for, in the coordinator's words ("ask for access
	// on Tuesday"); may be empty.
	Purpose string `json:"purpose,omitempty"`
	// Sender is the organisation the message comes from.
	Sender string `json:"sender"`
}

// Draft is a message for a person to read, edit and send.
type Draft struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// SummaryInput asks for a ticket's story.
type SummaryInput struct {
	Ticket TicketFacts `json:"ticket"`
}

// Summary is a ticket's story for a report.
type Summary struct {
	Summary   string   `json:"summary"`
	KeyPoints []string `json:"keyPoints"`
}

// UK regions for price ranges.
var Regions = []string{"LONDON", "SOUTH_EAST", "SOUTH_WEST", "EAST_OF_ENGLAND", "EAST_MIDLANDS", "WEST_MIDLANDS",
	"NORTH_WEST", "NORTH_EAST", "YORKSHIRE", "WALES", "SCOTLAND", "NORTHERN_IRELAND"}

// EstimateInput asks what a repair is likely to cost.
type EstimateInput struct {
	Category    string `json:"category"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Region      string `json:"region"`
}

// Estimate is a cost range in pence, VAT included.
type Estimate struct {
	LowPence    int64  `json:"lowPence"`
	HighPence   int64  `json:"highPence"`
	LikelyPence int64  `json:"likelyPence"`
	Reasoning   string `json:"reasoning"`
}
