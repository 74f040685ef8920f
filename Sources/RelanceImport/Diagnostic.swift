/// Where a problem was found in an input file, and what it is: `acme.yaml:42:9: entities[0].siren: …`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible, Error {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The field, as a path in the file (`entities[0].sites[2].siret`) or a column name for CSV files.
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        return "\(place): " + (field.map { "\($0): " } ?? "") + message
    }
}

/// An import that was refused, with every problem found. Nothing of the import was written.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String {
        let head = diagnostics.count == 1 ? "1 problem" : "\(diagnostics.count) problems"
        return "import refused, nothing was written (\(head)):\n" + diagnostics.map { "  \($0)" }.joined(separator: "\n")
    }
}
