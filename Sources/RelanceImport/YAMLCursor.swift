import Yams

/// Appended by the reader to the second occurrence of a repeated key, so that the file can still be
/// composed and the repetition reported with its full path.
let duplicateMarker = "~~repeated~~"

/// Collects the problems found while reading one file.
final class DiagnosticSink {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func report(_ mark: Mark?, _ path: String?, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: mark?.line, column: mark?.column, field: path?.isEmpty == true ? nil : path, message: message))
    }
}

/// A position in a YAML tree with its path (`entities[0].sites[1]`), which reads typed values and reports
/// every problem with the file's line, column and field. Reading never throws: problems are collected,
/// so that one run reports all of them.
struct YAMLCursor {
    let node: Node
    let path: String
    let sink: DiagnosticSink

    var mark: Mark? { node.mark }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func report(_ message: String) { sink.report(mark, path, message) }

    /// The mapping's pairs, after checking it is a mapping whose keys are all known and not repeated.
    func fields(allowed: [String]) -> [String: YAMLCursor]? {
        guard case .mapping(let mapping) = node else {
            report("expected a mapping of fields (\(allowed.joined(separator: ", ")))")
            return nil
        }
        var result: [String: YAMLCursor] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                sink.report(key.mark, path, "a field name must be plain text")
                continue
            }
            if name.hasSuffix(duplicateMarker) {
                let original = String(name.dropLast(duplicateMarker.count))
                sink.report(key.mark, child(original), "field '\(original)' is given twice")
                continue
            }
            let at = YAMLCursor(node: value, path: child(name), sink: sink)
            if result[name] != nil {
                sink.report(key.mark, at.path, "field '\(name)' is given twice")
            } else if !allowed.contains(name) {
                let hint = allowed.min { editDistance($0, name) < editDistance($1, name) }
                    .flatMap { editDistance($0, name) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
                sink.report(key.mark, at.path, "unknown field '\(name)'\(hint); expected one of: \(allowed.joined(separator: ", "))")
            } else {
                result[name] = at
            }
        }
        return result
    }

    /// The items of a sequence (a single scalar is read as a one-item list where `scalarAsList`).
    func items(scalarAsList: Bool = false) -> [YAMLCursor] {
        switch node {
        case .sequence(let seq):
            return seq.enumerated().map { YAMLCursor(node: $0.element, path: "\(path)[\($0.offset)]", sink: sink) }
        case .scalar where scalarAsList:
            return [self]
        default:
            report("expected a list")
            return []
        }
    }

    /// The text of a scalar, trimmed; `nil` (reported) for a mapping, a list or an empty value.
    var text: String? {
        guard case .scalar(let s) = node else {
            report("expected a single value, not a list or a mapping")
            return nil
        }
        let t = s.string.trimmingCharacters(in: .whitespaces)
        if t.isEmpty || (s.style == .plain && (t == "~" || t == "null")) {
            report("value is empty")
            return nil
        }
        return t
    }

    var strings: [String] { items(scalarAsList: true).compactMap(\.text) }

    var int: Int? {
        guard let t = text else { return nil }
        guard let v = Int(t) else { report("'\(t)' is not a whole number"); return nil }
        return v
    }

    var double: Double? {
        guard let t = text else { return nil }
        guard let v = Double(t), v.isFinite else { report("'\(t)' is not a number"); return nil }
        return v
    }

    var bool: Bool? {
        guard let t = text?.lowercased() else { return nil }
        switch t {
        case "true", "yes", "oui": return true
        case "false", "no", "non": return false
        default: report("'\(t)' is not true or false"); return nil
        }
    }

    /// A value among a fixed set, with the accepted values listed when it is not one of them.
    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> T? where T.RawValue == String {
        guard let t = text else { return nil }
        guard let v = T(rawValue: t.lowercased()) else {
            report("'\(t)' is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return v
    }
}

import Foundation

/// Levenshtein distance, for "did you mean" hints on misspelt field names.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
