package evtxtest

import (
	"crypto/sha256"
	"time"
)

const eventNS = "http://schemas.microsoft.com/win/2004/08/events/event"

// keywordsClassic is the Keywords value of events from classic sources
// (EventLogClassic).
const keywordsClassic = 0x0080000000000000

// eventDataTemplate is the generic template Windows uses for the insertion
// strings of a classic source:
//
//	<EventData><Data>{0: string array}</Data><Binary>{2: binary}</Binary></EventData>
//
// Value 1 is the length of the binary data. Windows gives this template the
// same GUID on every machine; it is copied here.
var eventDataTemplate = &template{
	guid: [16]byte{0x77, 0xd8, 0x29, 0x43, 0xd5, 0xd8, 0x2d, 0x51, 0xec, 0x99, 0x20, 0x1a, 0x0f, 0xd9, 0x2f, 0xc7},
	root: el("EventData", -1,
		child(el("Data", 0, subst(0, typeStringArray))),
		child(el("Binary", 2, subst(2, typeBinary))),
	),
}

// systemTemplate is the template of a classic source's event as Windows 10
// writes it: Provider Name, Channel and Computer are literal text, the
// rest are substitutions; value 19 holds the EventData fragment.
func systemTemplate(provider, channel, computer string) *template {
	return &template{
		guid: templateGUID("classic", provider, channel, computer),
		root: eventElem(19,
			&elem{name: "Provider", dep: -1, attrs: []attr{{"Name", text(provider)}}},
			18,
			el("Channel", -1, text(channel)),
			computer),
	}
}

// systemTemplateProviderSub is the other layout Windows uses in the
// Application channel, with Provider Name (value 14), Provider Guid (15) and
// Channel (16) as substitutions; value 17 holds the EventData fragment.
func systemTemplateProviderSub(computer string) *template {
	return &template{
		guid: templateGUID("provider-substitution", computer),
		root: eventElem(17,
			&elem{name: "Provider", dep: -1, attrs: []attr{
				{"Name", subst(14, typeString)},
				{"Guid", subst(15, typeGUID)},
			}},
			13,
			el("Channel", 16, subst(16, typeString)),
			computer),
	}
}

func eventElem(data int, provider *elem, related int, channel *elem, computer string) *elem {
	system := el("System", -1,
		child(provider),
		child(&elem{name: "EventID", dep: 3, attrs: []attr{{"Qualifiers", subst(4, typeUint16)}}, content: []piece{subst(3, typeUint16)}}),
		child(el("Version", 11, subst(11, typeUint8))),
		child(el("Level", 0, subst(0, typeUint8))),
		child(el("Task", 2, subst(2, typeUint16))),
		child(el("Opcode", 1, subst(1, typeUint8))),
		child(el("Keywords", 5, subst(5, typeHexInt64))),
		child(&elem{name: "TimeCreated", dep: -1, attrs: []attr{{"SystemTime", subst(6, typeFiletime)}}}),
		child(el("EventRecordID", 10, subst(10, typeUint64))),
		child(&elem{name: "Correlation", dep: -1, attrs: []attr{
			{"ActivityID", subst(7, typeGUID)},
			{"RelatedActivityID", subst(related, typeGUID)},
		}}),
		child(&elem{name: "Execution", dep: -1, attrs: []attr{
			{"ProcessID", subst(8, typeUint32)},
			{"ThreadID", subst(9, typeUint32)},
		}}),
		child(channel),
		child(el("Computer", -1, text(computer))),
		child(&elem{name: "Security", dep: -1, attrs: []attr{{"UserID", subst(12, typeSID)}}}),
	)
	return &elem{
		name:    "Event",
		dep:     int16(data),
		attrs:   []attr{{"xmlns", text(eventNS)}},
		content: []piece{child(system), subst(data, typeBinXML)},
	}
}

// templateGUID derives a stable template GUID from what makes templates
// differ. (Windows derives its GUIDs some other way.)
func templateGUID(parts ...string) [16]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var g [16]byte
	copy(g[:], h.Sum(nil))
	return g
}

// recordValues returns the substitution values of r's System template in
// the layout of systemTemplate, or of systemTemplateProviderSub if provSub.
func recordValues(r *Record, id uint64, provSub bool) []value {
	n := 20
	if provSub {
		n = 18
	}
	v := make([]value, n)
	for i := range v {
		v[i] = nullValue()
	}
	v[0] = u8Value(r.Level)
	v[1] = u8Value(0)  // Opcode
	v[2] = u16Value(0) // Task
	v[3] = u16Value(r.EventID)
	v[4] = u16Value(r.Qualifiers)
	v[5] = u64Value(typeHexInt64, keywordsClassic)
	v[6] = u64Value(typeFiletime, filetime(r.Time))
	v[8] = u32Value(0) // ProcessID
	v[9] = u32Value(0) // ThreadID
	v[10] = u64Value(typeUint64, id)
	v[11] = u8Value(0) // Version
	data := value{typ: typeBinXML, frag: func(e *enc) error {
		return e.fragment(eventDataTemplate, []value{
			stringArrayValue(r.Data),
			u32Value(0), // length of the binary data
			nullValue(),
		})
	}}
	if provSub {
		v[14] = stringValue(r.Provider)
		v[16] = stringValue(r.Channel)
		v[17] = data
	} else {
		v[19] = data
	}
	return v
}

// filetimeEpoch is 1601-01-01, the start of FILETIME.
var filetimeEpoch = time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)

// filetime converts t to 100-nanosecond intervals since 1601 (t must not be
// earlier).
func filetime(t time.Time) uint64 {
	const secs = 11644473600 // 1601-01-01 to 1970-01-01
	return uint64(t.Unix()+secs)*10_000_000 + uint64(t.Nanosecond()/100)
}
