// Package textrules holds the pure rules the messaging service applies to the text of an
// SMS or WhatsApp message, each small enough to test exhaustively and none touching a
// database or a provider:
//
//   - Count (segments.go) says how a body travels as SMS: its encoding, its length in
//     encoding units and how many segments a carrier bills. The alphabet is the GSM 03.38
//     default alphabet and its extension table (3GPP TS 23.038 §6.2.1); the limits (160
//     GSM-7 or 70 UCS-2 units in one segment, 153 or 67 per segment once concatenated,
//     the rest being the concatenation header) follow Twilio's segment documentation.
//   - Trim (trim.go) shortens a body to a segment budget, ending it with an ellipsis and a
//     suffix such as a link to the full message, so one long update cannot cost ten texts.
//   - ParseKeyword (keywords.go) recognises a reply that is wholly one of the carriers' and
//     Twilio's standard opt-out, opt-in and help keywords (STOP, START, HELP and their
//     synonyms), which the service must honour as consent changes.
//   - QuietHours (quiet.go) holds a non-urgent text sent during the recipient's quiet
//     hours, reckoned in UK local time, until the hours end.
//   - PriceTable (prices.go) is the configured price per segment (SMS) or per message
//     (WhatsApp) by the destination number's region, in integer pence.
package textrules
