import ArgumentParser
import RelanceCore
import RelanceRender
import RelanceStore

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Show a customer's organisation: entities, sites, departments, contacts and routes.",
        discussion: """
            text is a tree for the terminal; dot and mermaid are input for Graphviz and Mermaid; svg is laid out \
            by Graphviz's dot (installed separately); json has everything, with each site's payer and routes.

            Examples:
              relance map metalux
              relance map metalux --format svg --output metalux.svg
            """
    )

    @OptionGroup var db: DatabaseOptions

    @Argument(help: "The customer: group id or name, or an entity's id, name or SIREN.")
    var customer: String

    @Option(help: "text, dot, mermaid, svg or json.")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func run() throws {
        let store = try db.open()
        let id = try store.resolveCustomer(customer)
        guard let graph = try store.graph(id) else { throw StoreError.unknownCustomer(customer, known: []) }
        try emit(try render(graph, as: format), to: output)
    }
}

func render(_ graph: OrgGraph, as format: OutputFormat) throws -> String {
    switch format {
    case .text: return OrgTextRenderer.render(graph)
    case .dot: return OrgDiagramRenderer.dot(graph)
    case .mermaid: return OrgDiagramRenderer.mermaid(graph)
    case .svg: return try Graphviz.svg(fromDOT: OrgDiagramRenderer.dot(graph))
    case .json: return try OrgJSONRenderer.render(graph)
    case .csv: throw ValidationError("relance map does not write csv: use text, dot, mermaid, svg or json")
    }
}
