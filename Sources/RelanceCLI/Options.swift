import ArgumentParser
import Foundation
import RelanceCore

/// `--as-of DATE`: the day positions and lists are computed for (default: today in Paris).
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The day to look from (YYYY-MM-DD); default today.", valueName: "date"))
    var text: String?

    func date() throws -> CivilDate { try day(text, option: "--as-of") }
}

/// The day an option gives (today when it is not given), or an error naming the option.
func day(_ text: String?, option: String) throws -> CivilDate {
    guard let text else { return .today() }
    guard let d = CivilDate(iso: text), (2000...2100).contains(d.year) else {
        throw ValidationError("\(option) '\(text)' is not a date YYYY-MM-DD between 2000 and 2100")
    }
    return d
}

extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

/// An error in what the user asked for (an unknown invoice…), shown as `Error: …` with exit status 1,
/// without the usage text that argument errors get.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
