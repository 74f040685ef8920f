import Foundation
import RelanceCore

/// A person named by an incoming message (a Peppol buyer contact, a Chorus Pro user), who becomes a known
/// contact of the customer.
public struct LearnedContact: Hashable, Sendable {
    public var name: String
    public var phone: String?
    public var email: String?
    /// The department they belong to, when the message says so.
    public var department: String?

    public init(name: String, phone: String? = nil, email: String? = nil, department: String? = nil) {
        self.name = name
        self.phone = phone
        self.email = email
        self.department = department
    }
}

/// An event read from a file, with where it came from so that later checks (unknown invoice, unknown
/// department) can name the file and line.
public struct EventRecord: Hashable, Sendable {
    public var event: InvoiceEvent
    public var file: String
    public var line: Int?
    public var learnedContact: LearnedContact?

    public init(event: InvoiceEvent, file: String, line: Int?, learnedContact: LearnedContact? = nil) {
        self.event = event
        self.file = file
        self.line = line
        self.learnedContact = learnedContact
    }

    /// A diagnostic at this record's place.
    public func diagnostic(field: String?, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, field: field, message: message)
    }
}

/// A reader of one event format: returns every event of a file, or throws an ``ImportError`` with every
/// malformation found (file, line, field).
public protocol EventReader {
    /// Reads `data`; `file` names it in diagnostics.
    static func read(_ data: Data, file: String) throws(ImportError) -> [EventRecord]
}
