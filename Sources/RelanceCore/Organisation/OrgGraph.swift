/// One customer group's organisation: its legal entities, sites, departments, contacts and the routes
/// invoices and approvals take. The graph answers the questions follow-up needs: which route an invoice
/// takes, which department and which people are responsible for a step, which entity pays for a site,
/// every path from delivery to payment, the next payment run.
///
/// An `OrgGraph` is a value. ``validate()`` lists what makes it incoherent; readers refuse to build one
/// that has any issue, and the store only saves valid graphs.
public struct OrgGraph: Hashable, Sendable {
    public var group: CustomerGroup
    public var entities: [LegalEntity]
    public var sites: [Site]
    public var departments: [Department]
    public var contacts: [Contact]
    public var routes: [Route]

    public init(
        group: CustomerGroup, entities: [LegalEntity] = [], sites: [Site] = [], departments: [Department] = [],
        contacts: [Contact] = [], routes: [Route] = []
    ) {
        self.group = group
        self.entities = entities
        self.sites = sites
        self.departments = departments
        self.contacts = contacts
        self.routes = routes
    }

    // MARK: Look-ups

    public func entity(_ id: String) -> LegalEntity? { entities.first { $0.id == id } }
    public func site(_ id: String) -> Site? { sites.first { $0.id == id } }
    public func department(_ id: String) -> Department? { departments.first { $0.id == id } }
    public func contact(_ id: String) -> Contact? { contacts.first { $0.id == id } }
    public func route(_ id: String) -> Route? { routes.first { $0.id == id } }

    public func sites(of entityID: String) -> [Site] { sites.filter { $0.entity == entityID } }
    public func departments(at siteID: String) -> [Department] { departments.filter { $0.site == siteID } }
    public func contacts(in departmentID: String) -> [Contact] { contacts.filter { $0.department == departmentID } }

    /// The legal entity that pays for what is delivered at `siteID`: the site's `paidBy`, else its own entity.
    public func payer(of siteID: String) -> LegalEntity? {
        guard let s = site(siteID) else { return nil }
        return entity(s.paidBy ?? s.entity)
    }

    /// Whether no two routes share an id (as validation asks): what caches keyed by a route's id rely on,
    /// hashing a whole route costing as much as the work they save.
    public var routeIDsAreUnique: Bool { Set(routes.map(\.id)).count == routes.count }

    /// The route an invoice delivered at `siteID` takes, for an order of type `orderType` when known:
    /// the most specific matching route (site beats entity beats group; a matching order type adds).
    public func route(forSite siteID: String, orderType: String? = nil) -> Route? {
        guard let s = site(siteID) else { return nil }
        return routes.filter { $0.appliesTo.matches(site: s, orderType: orderType) }
            .max { $0.appliesTo.specificity < $1.appliesTo.specificity }
    }

    /// Every site a route applies to.
    public func sites(servedBy route: Route) -> [Site] {
        sites.filter { s in
            s.receivesDeliveries && routeCandidates(for: s).contains { $0.id == route.id }
        }
    }

    /// The routes that win for a site, for some order type (the group-wide route and each order type's).
    func routeCandidates(for site: Site) -> [Route] {
        let types = [nil] + Set(routes.flatMap(\.appliesTo.orderTypes)).sorted().map { Optional($0) }
        var seen = Set<String>()
        return types.compactMap { route(forSite: site.id, orderType: $0) }.filter { seen.insert($0.id).inserted }
    }

    /// The department responsible for `step` when the delivery was at `siteID`.
    public func department(for step: RouteStep, deliveredAt siteID: String) -> Department? {
        switch step.department {
        case .fixed(let id): return department(id)
        case .atDeliverySite(let role): return departments.first { $0.site == siteID && $0.role == role }
        }
    }

    /// The department and the people to ask about `step` for an invoice delivered at `siteID`.
    public func responsible(for step: RouteStep, deliveredAt siteID: String) -> (department: Department, contacts: [Contact])? {
        guard let d = department(for: step, deliveredAt: siteID) else { return nil }
        return (d, contacts(in: d.id))
    }

    /// Every path from delivery to payment for an invoice delivered at `siteID`: each path lists the steps
    /// with their responsible department.
    public func paths(forSite siteID: String, orderType: String? = nil) -> [[(step: RouteStep, department: Department?)]] {
        guard let r = route(forSite: siteID, orderType: orderType) else { return [] }
        return r.paths().map { ids in
            ids.compactMap { r.step($0) }.map { ($0, department(for: $0, deliveredAt: siteID)) }
        }
    }

    /// The entity whose payables calendar decides when an invoice delivered at `siteID` is paid: the owner of
    /// the paying department where the route ends (a shared-service centre, a public accountant), else the
    /// entity that pays for the site.
    public func paymentCalendarOwner(forSite siteID: String, orderType: String? = nil) -> LegalEntity? {
        paymentCalendarOwner(forSite: siteID, route: route(forSite: siteID, orderType: orderType))
    }

    /// ``paymentCalendarOwner(forSite:orderType:)`` when the invoice's route is already known (`nil`: none).
    public func paymentCalendarOwner(forSite siteID: String, route: Route?) -> LegalEntity? {
        if let r = route,
           let d = r.finalSteps.compactMap({ department(for: $0, deliveredAt: siteID) }).first(where: { $0.role.pays }),
           let owner = site(d.site).flatMap({ entity($0.entity) }) {
            return owner
        }
        return payer(of: siteID)
    }

    /// The first payment run on or after `date` for an invoice delivered at `siteID`, on the calendar of
    /// ``paymentCalendarOwner(forSite:orderType:)``.
    public func nextPaymentRun(forSite siteID: String, orderType: String? = nil, onOrAfter date: CivilDate) -> CivilDate? {
        paymentCalendarOwner(forSite: siteID, orderType: orderType)?.calendar.nextPaymentRun(onOrAfter: date)
    }

    /// Sites that depend on a department: for a fixed department, every site served by a route through it;
    /// for a department found by role at the delivery site, that site.
    public func sitesDepending(on departmentID: String) -> [Site] {
        sites.filter { s in
            guard s.receivesDeliveries else { return false }
            return routeCandidates(for: s).contains { r in
                r.steps.contains { department(for: $0, deliveredAt: s.id)?.id == departmentID }
            }
        }
    }
}
