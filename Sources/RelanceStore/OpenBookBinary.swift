import Foundation
import RelanceCore

/// The binary form of a customer's open book for a day (`open_book.rows`, migration v11): the invoices
/// unpaid that day with their payments up to it, every credit note issued by then, and the events of the
/// unpaid invoices up to the end of the day, exactly as ``Store/openBookRows(group:asOf:_:)`` reads them.
/// `relance learn` packs it; forecasts and the agenda of that day read it as one value instead of about
/// seven rows per open invoice found through three indexes (reading the rows was about a third of a
/// portfolio's forecast at a million open invoices).
///
/// Layout (``BinaryWriter``: little-endian, no padding; a `ref` is a `u32` index in the texts, `none` =
/// 0xFFFF_FFFF for an absent text; a day is an `i32` day number):
///
/// ```
/// "ROB1"
/// u32 n   n × str                                     the texts, each once
/// u32 n   n × invoice:
///   ref id, ref kind, ref group, ref entity, ref site, ref sentTo, ref orderNumber, ref orderType,
///   ref deliveryNote, i32 issue, u8 flags (1 delivery day, 2 due date given, 4 discounted), [i32 delivery],
///   i32 due, i64 amount, ref currency, ref method, ref salesRep, ref credits, ref channel,
///   u32 m   m × (i32 day, i64 amount, ref currency, ref reference)                       payments
///   u32 k   k × event (its invoice is the invoice's id):
///     u8 flags (1 id, 2 amount, 4 date), [i64 id], ref state, f64 at (seconds since 1970), ref time zone,
///     ref department, ref contact, ref source, ref raw code, ref reason, ref action, ref note,
///     [i64 amount, ref currency], [i32 date]
/// ```
enum OpenBookBinary {
    static let magic = Array("ROB1".utf8)
    private static let none = UInt32.max

    static func encode(invoices: [Invoice], events: [String: [InvoiceEvent]]) -> Data {
        var texts: [String: UInt32] = [:]
        var table: [String] = []
        var body = BinaryWriter(magic: [])
        func ref(_ s: String?) {
            guard let s else { return body.u32(none) }
            if let i = texts[s] { return body.u32(i) }
            let i = UInt32(table.count)
            texts[s] = i
            table.append(s)
            body.u32(i)
        }
        func day(_ d: CivilDate) { body.i32(Int32(truncatingIfNeeded: d.dayNumber)) }
        body.u32(invoices.count)
        for i in invoices {
            ref(i.id); ref(i.kind.rawValue); ref(i.group); ref(i.entity); ref(i.site); ref(i.sentTo); ref(i.orderNumber)
            ref(i.orderType); ref(i.deliveryNote)
            day(i.issueDate)
            body.u8((i.deliveryDate == nil ? 0 : 1) | (i.dueDateGiven ? 2 : 0) | (i.discounted ? 4 : 0))
            if let d = i.deliveryDate { day(d) }
            day(i.dueDate)
            body.i64(i.amount.minorUnits); ref(i.amount.currency); ref(i.method.rawValue); ref(i.salesRep); ref(i.credits); ref(i.channel)
            body.u32(i.payments.count)
            for p in i.payments {
                day(p.date); body.i64(p.amount.minorUnits); ref(p.amount.currency); ref(p.reference)
            }
            let list = events[i.id] ?? []
            body.u32(list.count)
            for e in list {
                body.u8((e.id == nil ? 0 : 1) | (e.amount == nil ? 0 : 2) | (e.date == nil ? 0 : 4))
                if let id = e.id { body.i64(id) }
                ref(e.state?.rawValue); body.f64(e.at.timeIntervalSince1970); ref(e.timeZone); ref(e.department); ref(e.contact)
                ref(e.source.rawValue); ref(e.rawCode); ref(e.reason); ref(e.action); ref(e.note)
                if let a = e.amount { body.i64(a.minorUnits); ref(a.currency) }
                if let d = e.date { day(d) }
            }
        }
        var out = BinaryWriter(magic: magic)
        out.u32(table.count)
        for s in table { out.str(s) }
        return Data(out.bytes + body.bytes)
    }

    /// The invoices and events in `bytes`, in the order written; only non-empty event lists are keyed (as
    /// the open book reads them). Throws ``StoreError/corrupt(_:)`` naming `what` (the group and day) when
    /// they do not read: cut short, a text index out of range, an unknown kind, method, state or source, the
    /// events of an invoice twice, bytes left over.
    static func decode(_ bytes: Data, what: String) throws -> (invoices: [Invoice], events: [String: [InvoiceEvent]]) {
        try bytes.withUnsafeBytes { raw in
            var r = try BinaryReader(raw: raw, subject: "the open book of \(what)", magic: magic)
            let n = try r.count(itemBytes: 4)
            var table: [String] = []
            table.reserveCapacity(n)
            for _ in 0..<n { table.append(try r.str()) }
            func text() throws -> String? {
                let i = try r.u32()
                if i == none { return nil }
                guard i < table.count else { throw r.corrupt("text \(i) of \(table.count)") }
                return table[Int(i)]
            }
            func required(_ field: String) throws -> String {
                guard let t = try text() else { throw r.corrupt("no \(field)") }
                return t
            }
            func day() throws -> CivilDate { CivilDate(dayNumber: Int(try r.i32())) }
            // Each text's meaning as an enumeration worked out once, by its index.
            var states: [UInt32: CanonicalState] = [:], sources: [UInt32: EventSource] = [:]
            func parsed<T: RawRepresentable>(_ cache: inout [UInt32: T], _ field: String) throws -> T? where T.RawValue == String {
                let at = r.offset
                let i = try r.u32()
                if i == none { return nil }
                if let known = cache[i] { return known }
                guard i < table.count, let value = T(rawValue: table[Int(i)]) else {
                    r.offset = at
                    throw r.corrupt("unknown \(field) \(i < table.count ? "'\(table[Int(i)])'" : "text \(i)")")
                }
                cache[i] = value
                return value
            }
            var kinds: [UInt32: Invoice.Kind] = [:], methods: [UInt32: PaymentMethod] = [:]
            var invoices: [Invoice] = []
            var events: [String: [InvoiceEvent]] = [:]
            let count = try r.count(itemBytes: 60)
            invoices.reserveCapacity(count)
            // Room for an event list per invoice at once (grown on demand, the table was rehashed at each doubling).
            events.reserveCapacity(count)
            for _ in 0..<count {
                let id = try required("invoice number")
                guard let kind = try parsed(&kinds, "kind") else { throw r.corrupt("no kind for \(id)") }
                let group = try required("group"), entity = try required("entity"), site = try required("site")
                let sentTo = try text(), orderNumber = try text(), orderType = try text(), deliveryNote = try text()
                let issue = try day()
                let flags = try r.u8()
                let delivery = flags & 1 != 0 ? try day() : nil
                let due = try day()
                let amount = Money(minorUnits: try r.i64(), currency: try required("currency"))
                guard let method = try parsed(&methods, "payment method") else { throw r.corrupt("no payment method for \(id)") }
                let salesRep = try text(), credits = try text(), channel = try text()
                var payments: [Payment] = []
                let paid = try r.count(itemBytes: 20)
                payments.reserveCapacity(paid)
                for _ in 0..<paid {
                    let date = try day()
                    payments.append(Payment(date: date, amount: Money(minorUnits: try r.i64(), currency: try required("currency")), reference: try text()))
                }
                invoices.append(Invoice(id: id, kind: kind, group: group, entity: entity, site: site, sentTo: sentTo, orderNumber: orderNumber,
                                        orderType: orderType, deliveryNote: deliveryNote, issueDate: issue, deliveryDate: delivery, dueDate: due,
                                        dueDateGiven: flags & 2 != 0, amount: amount, method: method, salesRep: salesRep, credits: credits,
                                        discounted: flags & 4 != 0, payments: payments, channel: channel))
                let k = try r.count(itemBytes: 45)
                guard k > 0 else { continue }
                var list: [InvoiceEvent] = []
                list.reserveCapacity(k)
                for _ in 0..<k {
                    let flags = try r.u8()
                    let eventID = flags & 1 != 0 ? try r.i64() : nil
                    let state = try parsed(&states, "state")
                    let at = Date(timeIntervalSince1970: try r.f64())
                    let zone = try required("time zone"), department = try text(), contact = try text()
                    guard let source = try parsed(&sources, "source") else { throw r.corrupt("no source for an event of \(id)") }
                    let rawCode = try text(), reason = try text(), action = try text(), note = try text()
                    let eventAmount = flags & 2 != 0 ? Money(minorUnits: try r.i64(), currency: try required("currency")) : nil
                    let date = flags & 4 != 0 ? try day() : nil
                    list.append(InvoiceEvent(id: eventID, invoice: id, state: state, at: at, timeZone: zone, department: department, contact: contact,
                                             source: source, rawCode: rawCode, reason: reason, action: action, note: note, amount: eventAmount, date: date))
                }
                guard events.updateValue(list, forKey: id) == nil else { throw r.corrupt("the events of \(id) twice") }
            }
            try r.end()
            return (invoices, events)
        }
    }
}
