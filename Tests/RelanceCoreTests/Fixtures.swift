import RelanceCore
import Testing

/// Builds a `CivilDate` from a literal known to be valid; records an issue (and returns 1970-01-01) otherwise.
func date(_ iso: String, sourceLocation: SourceLocation = #_sourceLocation) -> CivilDate {
    guard let d = CivilDate(iso: iso) else {
        Issue.record("bad date literal \(iso)", sourceLocation: sourceLocation)
        return CivilDate(dayNumber: 0)
    }
    return d
}

/// A small but complete customer group, valid and without findings:
///
/// - entity `mx-fab` (SIREN 732829320, 45 days end of month, runs on the 10th and 25th, invoices to `ssc-lyon`)
///   with plants `plant-ven` (reception, purchasing, management) and `plant-cor` (reception, paid by `mx-services`);
/// - entity `mx-services` (SIREN 542051180, net 60, runs every Tuesday), the shared-service centre `ssc-lyon`
///   (mailroom, accounts payable, treasury);
/// - route `standard` (group-wide): scan → match, receipt → bap → match, match → run;
/// - route `cor-direct` (site `plant-cor`): scan → match, receipt → match, match → run;
/// - route `capex` (order type `capex`): scan → match, approve → match, match → run.
enum Fixture {
    static let group = CustomerGroup(id: "metalux", name: "Metalux")

    static let fab = LegalEntity(
        id: "mx-fab", name: "Metalux Fabrication", siren: "732829320", vatNumber: "FR44732829320",
        terms: PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays),
        calendar: PayablesCalendar(runDays: [.day(10), .day(25)]),
        invoiceAddress: "ssc-lyon"
    )
    static let services = LegalEntity(
        id: "mx-services", name: "Metalux Services", siren: "542051180", vatNumber: "FR59542051180",
        terms: .net60, calendar: PayablesCalendar(runWeekdays: [.tuesday]), invoiceAddress: "ssc-lyon"
    )

    static let sites: [Site] = [
        Site(id: "plant-ven", entity: "mx-fab", name: "Vénissieux plant", kind: .plant, siret: "73282932000017"),
        Site(id: "plant-cor", entity: "mx-fab", name: "Corbas plant", kind: .plant, siret: "73282932000025",
             paidBy: "mx-services"),
        Site(id: "ssc-lyon", entity: "mx-services", name: "Lyon shared-service centre", kind: .sharedServiceCentre,
             siret: "54205118000017"),
    ]

    static let departments: [Department] = [
        Department(id: "ven-reception", site: "plant-ven", name: "Vénissieux goods receipt", role: .reception),
        Department(id: "ven-purchasing", site: "plant-ven", name: "Vénissieux purchasing", role: .purchasing,
                   email: "achats@metalux.fr", phone: "+33472001100"),
        Department(id: "ven-management", site: "plant-ven", name: "Vénissieux management", role: .management),
        Department(id: "cor-reception", site: "plant-cor", name: "Corbas goods receipt", role: .reception),
        Department(id: "ssc-mailroom", site: "ssc-lyon", name: "SSC mailroom", role: .mailroom),
        Department(id: "ssc-ap", site: "ssc-lyon", name: "SSC accounts payable", role: .accountsPayable,
                   email: "fournisseurs@metalux.fr"),
        Department(id: "ssc-treasury", site: "ssc-lyon", name: "SSC treasury", role: .treasury),
    ]

    static let contacts: [Contact] = [
        Contact(id: "c-ven-rec", department: "ven-reception", name: "Paul Martin", phone: "+33472001101"),
        Contact(id: "c-ven-pur", department: "ven-purchasing", name: "Sophie Bernard", phone: "+33472001102",
                email: "s.bernard@metalux.fr"),
        Contact(id: "c-ven-mgt", department: "ven-management", name: "Luc Petit", phone: "+33472001103"),
        Contact(id: "c-cor-rec", department: "cor-reception", name: "Inès Moreau", phone: "+33472001104"),
        Contact(id: "c-ssc-mail", department: "ssc-mailroom", name: "Nadia Roux", phone: "+33478001101"),
        Contact(id: "c-ssc-ap", department: "ssc-ap", name: "Julien Fournier", phone: "+33478001102",
                email: "j.fournier@metalux.fr"),
        Contact(id: "c-ssc-tre", department: "ssc-treasury", name: "Claire Girard", phone: "+33478001103",
                language: "en", channel: .email),
    ]

    static let standard = Route(id: "standard", name: "Standard purchases", steps: [
        RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom"), carries: .invoice),
        RouteStep(id: "receipt", action: .goodsReceipt, department: .atDeliverySite(.reception), carries: .approval),
        RouteStep(id: "bap", action: .approval, department: .fixed("ven-purchasing"), after: ["receipt"]),
        RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["scan", "bap"]),
        RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["match"]),
    ])

    static let corDirect = Route(id: "cor-direct", appliesTo: RouteRule(sites: ["plant-cor"]), steps: [
        RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
        RouteStep(id: "receipt", action: .goodsReceipt, department: .atDeliverySite(.reception), carries: .approval),
        RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["scan", "receipt"]),
        RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["match"]),
    ])

    static let capex = Route(id: "capex", appliesTo: RouteRule(orderTypes: ["capex"]), steps: [
        RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
        RouteStep(id: "approve", action: .approval, department: .fixed("ven-management"), carries: .approval),
        RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["scan", "approve"]),
        RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["match"]),
    ])

    static var graph: OrgGraph {
        OrgGraph(group: group, entities: [fab, services], sites: sites, departments: departments,
                 contacts: contacts, routes: [standard, corDirect, capex])
    }
}

extension OrgGraph {
    /// Applies `change` to the entity `id` (records an issue when there is none).
    mutating func editEntity(_ id: String, _ change: (inout LegalEntity) -> Void) {
        guard let i = entities.firstIndex(where: { $0.id == id }) else { Issue.record("no entity \(id)"); return }
        change(&entities[i])
    }

    mutating func editSite(_ id: String, _ change: (inout Site) -> Void) {
        guard let i = sites.firstIndex(where: { $0.id == id }) else { Issue.record("no site \(id)"); return }
        change(&sites[i])
    }

    mutating func editDepartment(_ id: String, _ change: (inout Department) -> Void) {
        guard let i = departments.firstIndex(where: { $0.id == id }) else { Issue.record("no department \(id)"); return }
        change(&departments[i])
    }

    mutating func editContact(_ id: String, _ change: (inout Contact) -> Void) {
        guard let i = contacts.firstIndex(where: { $0.id == id }) else { Issue.record("no contact \(id)"); return }
        change(&contacts[i])
    }

    mutating func editRoute(_ id: String, _ change: (inout Route) -> Void) {
        guard let i = routes.firstIndex(where: { $0.id == id }) else { Issue.record("no route \(id)"); return }
        change(&routes[i])
    }

    mutating func editStep(_ routeID: String, _ stepID: String, _ change: (inout RouteStep) -> Void) {
        editRoute(routeID) { r in
            guard let i = r.steps.firstIndex(where: { $0.id == stepID }) else { Issue.record("no step \(stepID)"); return }
            change(&r.steps[i])
        }
    }

    /// Adds a plant of `entity` with a reception department and one contact there.
    mutating func addPlant(_ id: String, entity: String = "mx-fab", siret: String?, reception: Bool = true) {
        sites.append(Site(id: id, entity: entity, name: "Plant \(id)", kind: .plant, siret: siret))
        if reception {
            departments.append(Department(id: "\(id)-reception", site: id, name: "Reception \(id)", role: .reception))
            contacts.append(Contact(id: "c-\(id)-rec", department: "\(id)-reception", name: "Receiver \(id)", phone: "+33472009900"))
        }
    }
}
