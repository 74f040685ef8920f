import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small read-only XML tree, built with Foundation's `XMLParser`, for the lifecycle messages (CDAR,
/// Peppol Invoice Response).
///
/// Names are local names: the namespace prefix is dropped (`rsm:ExchangedDocument` → `ExchangedDocument`),
/// because the messages are read by structure and the prefixes vary between senders. Each element keeps
/// the line (and column) where its start tag begins, for diagnostics.
///
/// Security: documents with a DTD (`<!DOCTYPE`) or an entity declaration are refused before parsing, and
/// external entities are not resolved. A lifecycle message never needs a DTD; refusing them rules out
/// XXE (reading local files or URLs through an external entity) and entity expansion bombs.
public struct XMLTree: Sendable {
    /// One element: its local name, attributes (as written, prefixes kept), direct text and children.
    public struct Element: Sendable {
        /// The local name, without its namespace prefix.
        public let name: String
        /// The attributes as written (`listID`, `currencyID`, `xmlns:cbc`…).
        public let attributes: [String: String]
        /// The element's own character data (text and CDATA, not that of its children), trimmed.
        public let text: String
        public let children: [Element]
        /// The line where the start tag begins (1-based).
        public let line: Int
        public let column: Int

        /// The first child with this local name.
        public func child(_ name: String) -> Element? { children.first { $0.name == name } }

        /// Every child with this local name, in document order.
        public func children(_ name: String) -> [Element] { children.filter { $0.name == name } }

        /// The element at a path of local names below this one (`"DocumentResponse/Response/ResponseCode"`),
        /// following the first match at each step.
        public func first(_ path: String) -> Element? {
            var current: Element? = self
            for step in path.split(separator: "/") { current = current?.child(String(step)) }
            return current
        }

        /// Every element at a path below this one, following every match at each step.
        public func all(_ path: String) -> [Element] {
            var current = [self]
            for step in path.split(separator: "/") { current = current.flatMap { $0.children(String(step)) } }
            return current
        }

        /// The trimmed text at a path, or `nil` when the element is absent or empty.
        public func text(_ path: String) -> String? {
            guard let e = first(path), !e.text.isEmpty else { return nil }
            return e.text
        }
    }

    public let root: Element

    /// The deepest nesting accepted; real messages stay under 15 levels.
    static let maximumDepth = 200

    /// Parses `data`; `file` names it in diagnostics.
    public static func parse(_ data: Data, file: String) throws(ImportError) -> XMLTree {
        if let problem = refusal(of: data) {
            throw ImportError([Diagnostic(file: file, line: problem.line, field: nil, message: problem.message)])
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        let builder = TreeBuilder(data: data)
        parser.delegate = builder
        let succeeded = parser.parse()
        if let problem = builder.problem {
            throw ImportError([Diagnostic(file: file, line: problem.line, column: problem.column, message: problem.message)])
        }
        if !succeeded || parser.parserError != nil {
            let code = (parser.parserError as NSError?)?.code ?? 0
            throw ImportError([Diagnostic(file: file, line: max(parser.lineNumber, 1), column: parser.columnNumber,
                                          message: "not well-formed XML: " + TreeBuilder.explain(code))])
        }
        guard let root = builder.root else {
            throw ImportError([Diagnostic(file: file, line: 1, message: "not XML: no element found")])
        }
        return XMLTree(root: root)
    }

    /// Why a document is refused before parsing: empty, not in an ASCII-compatible encoding (UTF-16 or
    /// UTF-32 would hide a DOCTYPE from the byte check), or carrying a DTD or an entity declaration.
    static func refusal(of data: Data) -> (line: Int, message: String)? {
        let bytes = [UInt8](data)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return (1, "not XML: the file is empty")
        }
        let head = Array(bytes.prefix(4))
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) || head.prefix(4).contains(0) {
            return (1, "not accepted: the document is in UTF-16 or UTF-32; lifecycle messages must be UTF-8")
        }
        for marker in ["<!DOCTYPE", "<!ENTITY"] {
            if let offset = find(marker, in: bytes) {
                let line = 1 + bytes[..<offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                return (line, "not accepted: the document declares a DTD (\(marker)); DTDs and entities are not accepted in lifecycle messages")
            }
        }
        return nil
    }

    /// The offset of an ASCII marker in `bytes`, compared case-insensitively.
    private static func find(_ marker: String, in bytes: [UInt8]) -> Int? {
        let m = Array(marker.utf8).map(lower)
        guard bytes.count >= m.count else { return nil }
        var i = 0
        while i + m.count <= bytes.count {
            if bytes[i] == 0x3C {   // '<'
                var j = 1
                while j < m.count && lower(bytes[i + j]) == m[j] { j += 1 }
                if j == m.count { return i }
            }
            i += 1
        }
        return nil
    }

    private static func lower(_ b: UInt8) -> UInt8 { (0x41...0x5A).contains(b) ? b + 0x20 : b }
}

/// A message found in a file: the message element itself, or each message of a wrapper (several messages
/// received from a platform and saved together). Anything else is named in a diagnostic.
extension XMLTree {
    func messages(named name: String, what: String, file: String) throws(ImportError) -> [Element] {
        if root.name == name { return [root] }
        let found = root.children(name)
        guard !found.isEmpty else {
            throw ImportError([Diagnostic(file: file, line: root.line, column: root.column, field: root.name,
                                          message: "expected a \(what) (root element \(name)), found <\(root.name)>")])
        }
        let strays = root.children.filter { $0.name != name }
        if !strays.isEmpty {
            throw ImportError(strays.map {
                Diagnostic(file: file, line: $0.line, column: $0.column, field: $0.name,
                           message: "unexpected <\($0.name)> among \(what) messages; a file holds one \(name) or a wrapper of several")
            })
        }
        return found
    }
}

/// Builds the tree from `XMLParser` callbacks. Used by one parse on one thread.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    final class Node {
        let name: String
        let attributes: [String: String]
        let line: Int
        let column: Int
        var text = ""
        var children: [XMLTree.Element] = []

        init(name: String, attributes: [String: String], line: Int, column: Int) {
            self.name = name
            self.attributes = attributes
            self.line = line
            self.column = column
        }
    }

    let bytes: [UInt8]
    /// Byte offset of the start of each line.
    let lineStarts: [Int]
    var stack: [Node] = []
    var root: XMLTree.Element?
    var problem: (line: Int, column: Int?, message: String)?

    init(data: Data) {
        bytes = [UInt8](data)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    /// libxml2 reports the position at the end of the start tag; walk back to its `<` (which cannot appear
    /// inside attribute values) so that a start tag over several lines is placed on its first line.
    func startPosition(line: Int, column: Int) -> (line: Int, column: Int) {
        guard line >= 1, line <= lineStarts.count else { return (max(line, 1), column) }
        var offset = min(lineStarts[line - 1] + max(column - 1, 0), bytes.count - 1)
        if offset > 0 && bytes[offset] == 0x3C { offset -= 1 }   // pointing at the next tag already
        while offset > 0 && bytes[offset] != 0x3C { offset -= 1 }
        var l = line
        while l > 1 && lineStarts[l - 1] > offset { l -= 1 }
        return (l, offset - lineStarts[l - 1] + 1)
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if stack.count >= XMLTree.maximumDepth {
            if problem == nil {
                problem = (parser.lineNumber, nil, "not accepted: elements nested deeper than \(XMLTree.maximumDepth) levels")
            }
            parser.abortParsing()
            return
        }
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        let position = startPosition(line: parser.lineNumber, column: parser.columnNumber)
        stack.append(Node(name: local, attributes: attributeDict, line: position.line, column: position.column))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let node = stack.popLast() else { return }
        let element = XMLTree.Element(name: node.name, attributes: node.attributes,
                                      text: node.text.trimmingCharacters(in: .whitespacesAndNewlines),
                                      children: node.children, line: node.line, column: node.column)
        if let parent = stack.last { parent.children.append(element) } else { root = element }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        refuseEntities(parser)
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        refuseEntities(parser)
    }

    /// Called for a reference to an undeclared entity (declarations are refused): never resolved; the
    /// parser then reports the undefined entity.
    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        nil
    }

    /// Second line of defence, should a declaration get past the byte check.
    func refuseEntities(_ parser: XMLParser) {
        if problem == nil {
            problem = (parser.lineNumber, nil, "not accepted: DTDs and entities are not accepted in lifecycle messages")
        }
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard problem == nil else { return }
        let code = (parseError as NSError).code
        if (code == 5 || code == 77), let open = stack.last {
            // The file ended inside an element: name the element and where it was opened.
            problem = (lineStarts.count, nil, "not well-formed XML: the file ends before <\(open.name)> (opened on line \(open.line)) is closed")
            return
        }
        if code == 5, let root {
            problem = (max(parser.lineNumber, 1), parser.columnNumber, "not well-formed XML: content after the root element <\(root.name)>")
            return
        }
        problem = (max(parser.lineNumber, 1), parser.columnNumber, "not well-formed XML: " + TreeBuilder.explain(code))
    }

    /// A readable explanation of a libxml2 error code (as `XMLParser` reports them).
    static func explain(_ code: Int) -> String {
        switch code {
        case 4: return "no element found (is this an XML file?)"
        case 5: return "the document ends before its elements are closed, or has content after the root element"
        case 9: return "a character that XML does not allow"
        case 26: return "reference to an undefined entity (escape '&' as &amp;)"
        case 38, 39, 41: return "an attribute value is missing or not quoted"
        case 42: return "an attribute appears twice"
        case 68: return "a '<' that does not start a tag (escape it as &lt;)"
        case 73: return "a tag is not closed with '>'"
        case 76: return "a closing tag does not match the opening tag"
        case 77: return "an element is not closed before the end of the file"
        case 201: return "a namespace prefix is used without being declared (xmlns:…)"
        default: return "parser error \(code)"
        }
    }
}
