import ArgumentParser

/// `relance`: the root command.
public struct RelanceCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "relance",
        abstract: "Follow invoices through your customers' organisations and get paid on time.",
        discussion: """
            Relance models each customer as a graph of legal entities, sites, departments and contacts, with the \
            routes invoices and payment approvals take inside it.

            Start with 'relance demo', or:
              relance init
              relance import org samples/orgs/metalux.yaml
              relance map metalux
              relance check
            """,
        version: "0.1.0",
        subcommands: [InitCommand.self, ImportCommand.self, MapCommand.self, CheckCommand.self, WhereCommand.self, StuckCommand.self,
                      WhoCommand.self, ForecastCommand.self, CashflowCommand.self, BacktestCommand.self, SimulateCommand.self, DemoCommand.self,
                      AgendaCommand.self, PolicyCommand.self, LogCommand.self, LettersCommand.self, ReportCommand.self,
                      ServeCommand.self, UserCommand.self, LearnCommand.self, ExportCommand.self]
    )

    public init() {}
}

/// The program's entry point, so that the executable needs no import but this module.
public enum Relance {
    public static func main(_ arguments: [String]? = nil) {
        RelanceCommand.main(arguments)
    }
}
