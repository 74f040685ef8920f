import Foundation
import RelanceCore

/// Positions as JSON: each step's status, dates and inferred probabilities, the blocks and the events.
public enum PositionJSON {
    struct Step: Encodable {
        var id, action, carried, status: String
        var department: String?
        var doneAt, since: String?
        var implied: Bool
        var dwellDays: Int?
        var probabilityDone, probabilityHere: Double
        var usualP90Days: Int
        var lawSource: String
    }
    struct BlockDoc: Encodable { var state, since: String; var step, department, reason, note: String? }
    struct EventDoc: Encodable {
        var at, source: String; var state, department, contact, rawCode, reason, action, note, date: String?
    }
    struct Doc: Encodable {
        var invoice, customer, site, issueDate, dueDate, asOf, amount, openAmount: String
        var route: String?
        var closed: Bool
        var steps: [Step]
        var blocks: [BlockDoc]
        var events: [EventDoc]
        var scheduledRun, promisedDate: String?
    }

    public static func render(_ positions: [InvoicePosition], credited: [String: Money]) throws -> String {
        let iso = ISO8601DateFormatter()
        let docs = positions.map { p in
            Doc(invoice: p.invoice.id, customer: p.invoice.group, site: p.invoice.site, issueDate: p.invoice.issueDate.description,
                dueDate: p.invoice.dueDate.description, asOf: p.asOf.description, amount: p.invoice.amount.description,
                openAmount: p.invoice.openAmount(credited: credited[p.invoice.id]).description, route: p.route?.id, closed: p.closed,
                steps: p.steps.map { s in
                    Step(id: s.step.id, action: s.step.action.rawValue, carried: s.carried.rawValue, status: s.status.rawValue, department: s.department?.id,
                         doneAt: s.doneAt?.description, since: s.since?.description, implied: s.implied, dwellDays: s.dwellDays,
                         probabilityDone: (s.probabilityDone * 1000).rounded() / 1000, probabilityHere: (s.probabilityHere * 1000).rounded() / 1000,
                         usualP90Days: s.law.quantile(0.9), lawSource: s.lawSource.rawValue)
                },
                blocks: p.blocks.map { BlockDoc(state: $0.state.rawValue, since: $0.since.description, step: $0.stepID, department: $0.department,
                                                reason: $0.event.reason, note: $0.event.note) },
                events: p.events.map { e in
                    EventDoc(at: iso.string(from: e.at), source: e.source.rawValue, state: e.state?.rawValue, department: e.department, contact: e.contact,
                             rawCode: e.rawCode, reason: e.reason, action: e.action, note: e.note, date: e.date?.description)
                },
                scheduledRun: p.scheduledRun?.description, promisedDate: p.promisedDate?.description)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(docs.count == 1 ? AnyEncodable(docs[0]) : AnyEncodable(docs)), as: UTF8.self) + "\n"
    }

    struct AnyEncodable: Encodable {
        let value: any Encodable
        init(_ value: any Encodable) { self.value = value }
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }
}
