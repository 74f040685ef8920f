/// What the store refuses, in words a user can act on.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// No database file at this path (commands other than `init` and `demo` need one).
    case noDatabase(path: String)
    /// No customer group matches the name given.
    case unknownCustomer(String, known: [String])
    /// An id in the file already belongs to another customer group.
    case idTaken(id: String, kind: String, file: String?, otherGroup: String)
    /// Elements missing from the new file are referred to by history.
    case removalRefused([HistoryReference])
    /// The database was written by a newer Relance.
    case newerSchema(String)
    /// A stored value does not read (the import checks every one, so the file was changed by other means).
    case corrupt(String)

    public var description: String {
        switch self {
        case .noDatabase(let path):
            return "no Relance database at \(path): create one with 'relance init --db \(path)' (or run 'relance demo')"
        case .unknownCustomer(let name, let known):
            return "no customer matches '\(name)'" + (known.isEmpty ? " (the database has none: import one with 'relance import org FILE')" : "; known customers: \(known.joined(separator: ", "))")
        case .idTaken(let id, let kind, let file, let other):
            return (file.map { "\($0): " } ?? "") + "\(kind) id '\(id)' already belongs to customer group '\(other)': ids are unique across the database"
        case .removalRefused(let refs):
            return "the new file removes what history refers to; nothing was written:\n"
                + refs.map { "  \($0.kind) \($0.id) (customer \($0.group)): \($0.count) \($0.what)" }.joined(separator: "\n")
                + "\nkeep them in the file, or import with --archive to keep them for history but out of the organisation"
        case .newerSchema(let migration):
            return "this database was written by a newer Relance (migration '\(migration)'): upgrade relance"
        case .corrupt(let what):
            return "the database is damaged: \(what)"
        }
    }
}

/// Something history refers to (an event, an invoice) that a new organisation file would remove.
public struct HistoryReference: Hashable, Sendable {
    public var group: String
    public var kind: String
    public var id: String
    public var count: Int
    /// "events", "invoices", …
    public var what: String
}
