package tickets

import "slices"

// transitions are the status changes people make by hand (POST /tickets/{id}/transition).
// IN_PROGRESS and RESOLVED also follow the ticket's work orders automatically
// (FollowWorkOrders).
var transitions = map[Status][]Status{
	New:        {Triaged, Cancelled},
	Triaged:    {InProgress, Resolved, Cancelled},
	InProgress: {Resolved, Cancelled},
	Resolved:   {Closed, InProgress}, // InProgress: reopen
	Closed:     nil,
	Cancelled:  nil,
}

// CanTransition reports whether a person may move a ticket from one status to another.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// needsReason lists changes that must say why: cancelling and reopening.
func needsReason(from, to Status) bool {
	return to == Cancelled || (from == Resolved && to == InProgress)
}
