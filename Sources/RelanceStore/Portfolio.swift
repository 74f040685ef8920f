import Foundation
import RelanceCore

/// Everything follow-up needs about one customer group at a date: its organisation, its invoices and
/// their events, the dwell-time model learned from its history, and each invoice's position.
public struct CustomerBook: Sendable {
    public var graph: OrgGraph
    public var invoices: [Invoice]
    public var events: [String: [InvoiceEvent]]
    /// Credit notes' amounts by the invoice they credit.
    public var credited: [String: Money] { didSet { open = CustomerBook.open(positions, credited: credited) } }
    public var model: LearnedDwellModel
    public var positions: [InvoicePosition] { didSet { open = CustomerBook.open(positions, credited: credited) } }
    /// Positions of invoices still open at the as-of date (not closed, something left to pay once credit
    /// notes are deducted), kept in step with `positions` and `credited`.
    public private(set) var open: [InvoicePosition]
    public var learned: [(name: String, phone: String?, email: String?, department: String?)]

    public init(graph: OrgGraph, invoices: [Invoice], events: [String: [InvoiceEvent]], credited: [String: Money], model: LearnedDwellModel,
                positions: [InvoicePosition], learned: [(name: String, phone: String?, email: String?, department: String?)] = []) {
        self.graph = graph
        self.invoices = invoices
        self.events = events
        self.credited = credited
        self.model = model
        self.positions = positions
        self.learned = learned
        self.open = CustomerBook.open(positions, credited: credited)
    }

    /// The amounts credit notes take off the invoices they credit, by invoice (the other documents are ignored).
    public static func credited(by documents: [Invoice]) -> [String: Money] {
        var credited: [String: Money] = [:]
        for c in documents where c.kind == .creditNote {
            if let target = c.credits { credited[target] = (credited[target] ?? .zero(c.amount.currency)) + c.amount }
        }
        return credited
    }

    static func open(_ positions: [InvoicePosition], credited: [String: Money]) -> [InvoicePosition] {
        // The test reads each position in place, through the array's buffer (by the array's subscript, the
        // position was copied out for the method call); only those kept are copied.
        let kept = positions.withUnsafeBufferPointer { p in
            p.indices.filter { i in
                !p[i].closed && p[i].invoice.kind == .invoice
                    && p[i].invoice.openAmount(credited: credited[p[i].invoice.id]).minorUnits > 0
            }
        }
        // All of them (a book read from a packed open book): the same array, shared rather than copied position
        // by position (each copy retained a dozen arrays and texts, and was released again with the book).
        guard kept.count < positions.count else { return positions }
        return kept.map { positions[$0] }
    }
}

extension Store {
    /// Loads a customer group's book as of a date: only events up to that date count, and the dwell model
    /// is learned from them (so a past as-of date shows what was known then). A model stored by
    /// `relance learn` for that day (``dwellModel(group:asOf:minimumObservations:)``) is used instead of
    /// learning when it is still current; the book is the same either way.
    public func book(group: String, asOf: CivilDate, minimumObservations: Int = 15, useStoredModel: Bool = true) throws -> CustomerBook? {
        let stored = useStoredModel ? try dwellModel(group: group, asOf: asOf, minimumObservations: minimumObservations) : nil
        guard let graph = try graph(group) else { return nil }
        // As of a date: later invoices, credit notes and payments are unknown.
        let invoices = try self.invoices(group: group).filter { $0.issueDate <= asOf }.map { $0.known(on: asOf) }
        let events = try eventsByInvoice(group: group, until: Store.cutoff(asOf))
        let credited = CustomerBook.credited(by: invoices)
        // Two passes: positions with the prior teach the model; the model then gives the positions.
        let model = stored ?? Store.learnDwellModel(graph: graph, invoices: invoices, events: events, asOf: asOf, minimumObservations: minimumObservations)
        let engine = PositionEngine(graph: graph, model: model)
        let positions = invoices.filter { $0.kind == .invoice }.map { engine.position(of: $0, events: events[$0.id] ?? [], asOf: asOf) }
        return CustomerBook(graph: graph, invoices: invoices, events: events, credited: credited, model: model, positions: positions,
                            learned: try learnedContacts(group: group))
    }

    /// The group an invoice belongs to.
    public func group(ofInvoice id: String) throws -> String? {
        try invoice(id)?.group
    }
}
