package clocks

import (
	"time"

	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Defect is a qualifying repair of the Right to Repair and its prescribed period in
// working days: the Schedule to the Secure Tenants of Local Housing Authorities (Right to
// Repair) Regulations 1994 (SI 1994/133, regulations 2 and 4), row by row.
type Defect struct {
	Code        string
	Name        string
	WorkingDays int
}

// Rule is the clock of a defect.
func (d Defect) Rule() Rule {
	return Rule{Code: "RTR_" + d.Code, Regime: RightToRepair, Name: "Right to Repair: " + d.Name,
		Source:      "SI 1994/133, Schedule: " + d.Name,
		WorkingDays: d.WorkingDays, StartsOn: Reported, StopsOn: Resolved}
}

// RightToRepairDefects are the Schedule's rows. Heating is split by season in the
// Schedule itself: use HeatingDefect to choose by the date of the report.
var RightToRepairDefects = []Defect{
	{"ELECTRIC_POWER_TOTAL", "Total loss of electric power", 1},
	{"ELECTRIC_POWER_PARTIAL", "Partial loss of electric power", 3},
	{"UNSAFE_ELECTRICAL_FITTING", "Unsafe power or lighting socket, or electrical fitting", 1},
	{"WATER_SUPPLY_TOTAL", "Total loss of water supply", 1},
	{"WATER_SUPPLY_PARTIAL", "Partial loss of water supply", 3},
	{"GAS_SUPPLY", "Total or partial loss of gas supply", 1},
	{"BLOCKED_FLUE", "Blocked flue to open fire or boiler", 1},
	{"HEATING_WINTER", "Total or partial loss of space or water heating between 31st October and 1st May", 1},
	{"HEATING_SUMMER", "Total or partial loss of space or water heating between 30th April and 1st November", 3},
	{"FOUL_DRAIN", "Blocked or leaking foul drain, soil stack, or (where there is no other working toilet in the dwelling-house) toilet pan", 1},
	{"TOILET_NOT_FLUSHING", "Toilet not flushing (where there is no other working toilet in the dwelling-house)", 1},
	{"BLOCKED_SINK", "Blocked sink, bath or basin", 3},
	{"TAP_STUCK", "Tap which cannot be turned", 3},
	{"LEAKING_PIPE", "Leaking from water or heating pipe, tank or cistern", 1},
	{"LEAKING_ROOF", "Leaking roof", 7},
	{"INSECURE_DOOR_WINDOW", "Insecure external window, door or lock", 1},
	{"BANISTER", "Loose or detached bannister or hand rail", 3},
	{"ROTTEN_FLOOR", "Rotten timber flooring or stair tread", 3},
	{"DOOR_ENTRYPHONE", "Door entryphone not working", 7},
	{"EXTRACTOR_FAN", "Mechanical extractor fan in internal kitchen or bathroom not working", 7},
}

// DefectByCode finds a Right to Repair defect.
func DefectByCode(code string) (Defect, bool) {
	for _, d := range RightToRepairDefects {
		if d.Code == code {
			return d, true
		}
	}
	return Defect{}, false
}

// HeatingDefect is the heating row a loss of heating reported at t falls under: the
// winter one from 1 November to 30 April inclusive ("between 31st October and 1st May"),
// the summer one from 1 May to 31 October, by the London date of the report.
func HeatingDefect(t time.Time) Defect {
	m := t.In(ukcalendar.London).Month()
	code := "HEATING_SUMMER"
	if m >= time.November || m <= time.April {
		code = "HEATING_WINTER"
	}
	d, _ := DefectByCode(code)
	return d
}
