/// A customer group: the top of one customer's organisation, as one organisation file describes it.
public struct CustomerGroup: Hashable, Sendable, Identifiable {
    public var id: String
    public var name: String
    /// Our person responsible for this customer's follow-up (name or user id), when named.
    public var responsible: String?
    /// Free notes for the team.
    public var notes: String?

    public init(id: String, name: String, responsible: String? = nil, notes: String? = nil) {
        self.id = id
        self.name = name
        self.responsible = responsible
        self.notes = notes
    }
}

/// A legal entity of the group: the company invoices are addressed to and which pays them.
public struct LegalEntity: Hashable, Sendable, Identifiable {
    public var id: String
    public var name: String
    public var siren: String?
    public var vatNumber: String?
    /// The payment terms the contract states, or `nil` when we do not know them.
    public var agreedTerms: PaymentTerms?
    public var calendar: PayablesCalendar
    /// The site whose address invoices must be sent to (a head office, a shared-service centre).
    public var invoiceAddress: String?
    /// Whether the entity requires a purchase-order number on every invoice.
    public var requiresPurchaseOrder: Bool

    public init(
        id: String, name: String, siren: String? = nil, vatNumber: String? = nil,
        terms: PaymentTerms? = nil, calendar: PayablesCalendar = PayablesCalendar(),
        invoiceAddress: String? = nil, requiresPurchaseOrder: Bool = false
    ) {
        self.id = id
        self.name = name
        self.siren = siren
        self.vatNumber = vatNumber
        self.agreedTerms = terms
        self.calendar = calendar
        self.invoiceAddress = invoiceAddress
        self.requiresPurchaseOrder = requiresPurchaseOrder
    }
}

extension LegalEntity {
    /// The terms that apply: the agreed ones, else the legal default (30 days after delivery, L441-10).
    public var terms: PaymentTerms {
        get { agreedTerms ?? .legalDefault }
        set { agreedTerms = newValue }
    }
}

/// What a site is.
public enum SiteKind: String, Sendable, Codable, CaseIterable {
    case plant, warehouse, store, office, hospital
    case headOffice = "head-office"
    case sharedServiceCentre = "shared-service-centre"

    /// Whether goods are usually delivered there.
    public var receivesDeliveries: Bool {
        switch self {
        case .plant, .warehouse, .store, .hospital: return true
        case .office, .headOffice, .sharedServiceCentre: return false
        }
    }
}

/// A postal address.
public struct Address: Hashable, Sendable {
    public var lines: [String]
    public var postcode: String
    public var city: String
    public var country: String

    public init(lines: [String], postcode: String, city: String, country: String = "FR") {
        self.lines = lines
        self.postcode = postcode
        self.city = city
        self.country = country
    }

    /// "12 rue des Forges, 69200 Vénissieux".
    public var oneLine: String {
        (lines + ["\(postcode) \(city)"] + (country == "FR" ? [] : [country])).joined(separator: ", ")
    }
}

/// A place of the group: a plant, a store, a head office, a shared-service centre.
public struct Site: Hashable, Sendable, Identifiable {
    public var id: String
    public var entity: String
    public var name: String
    public var kind: SiteKind
    public var siret: String?
    public var address: Address?
    /// The entity that pays for what is delivered here, when it is not the site's own entity.
    public var paidBy: String?
    /// Whether goods and services are delivered here; defaults from the kind.
    public var receivesDeliveries: Bool

    public init(
        id: String, entity: String, name: String, kind: SiteKind, siret: String? = nil,
        address: Address? = nil, paidBy: String? = nil, receivesDeliveries: Bool? = nil
    ) {
        self.id = id
        self.entity = entity
        self.name = name
        self.kind = kind
        self.siret = siret
        self.address = address
        self.paidBy = paidBy
        self.receivesDeliveries = receivesDeliveries ?? kind.receivesDeliveries
    }
}

/// What a department does in the invoice circuit.
public enum DepartmentRole: String, Sendable, Codable, CaseIterable {
    case mailroom
    case reception
    case requester
    case purchasing
    case accountsPayable = "accounts-payable"
    case treasury
    case einvoicingPlatform = "einvoicing-platform"
    case ordonnateur
    case publicAccountant = "public-accountant"
    case management

    /// Departments that release payments: a route must end at one of them.
    public var pays: Bool { self == .accountsPayable || self == .treasury || self == .publicAccountant }

    /// Departments that take in invoices (an invoice address must have one).
    public var processesInvoices: Bool {
        switch self {
        case .mailroom, .accountsPayable, .einvoicingPlatform, .ordonnateur: return true
        default: return false
        }
    }

    /// A human label in English.
    public var label: String {
        switch self {
        case .mailroom: return "mailroom / scanning"
        case .reception: return "reception / goods receipt"
        case .requester: return "requester / budget holder"
        case .purchasing: return "purchasing"
        case .accountsPayable: return "accounts payable"
        case .treasury: return "treasury"
        case .einvoicingPlatform: return "e-invoicing platform"
        case .ordonnateur: return "ordonnateur"
        case .publicAccountant: return "public accountant (comptable public)"
        case .management: return "management"
        }
    }
}

/// A place inside a site where an invoice or its approval can sit.
public struct Department: Hashable, Sendable, Identifiable {
    public var id: String
    public var site: String
    public var name: String
    public var role: DepartmentRole
    public var email: String?
    public var phone: String?

    public init(id: String, site: String, name: String, role: DepartmentRole, email: String? = nil, phone: String? = nil) {
        self.id = id
        self.site = site
        self.name = name
        self.role = role
        self.email = email
        self.phone = phone
    }
}

/// How a contact prefers to be reached.
public enum Channel: String, Sendable, Codable, CaseIterable {
    case phone, email, letter, portal
}

/// A person in a department.
public struct Contact: Hashable, Sendable, Identifiable {
    public var id: String
    public var department: String
    public var name: String
    public var title: String?
    /// E.164.
    public var phone: String?
    public var email: String?
    public var hours: WorkingHours
    /// IANA time zone identifier of the contact's working hours.
    public var timeZone: String
    /// ISO 639-1 code (`fr`, `en`).
    public var language: String
    public var channel: Channel

    public init(
        id: String, department: String, name: String, title: String? = nil, phone: String? = nil,
        email: String? = nil, hours: WorkingHours = .office, timeZone: String = "Europe/Paris",
        language: String = "fr", channel: Channel = .phone
    ) {
        self.id = id
        self.department = department
        self.name = name
        self.title = title
        self.phone = phone
        self.email = email
        self.hours = hours
        self.timeZone = timeZone
        self.language = language
        self.channel = channel
    }
}

/// When a contact can be reached: weekdays and time ranges, in the contact's time zone.
public struct WorkingHours: Hashable, Sendable, CustomStringConvertible {
    /// A time range in minutes after midnight, half-open.
    public struct Range: Hashable, Sendable {
        public let start: Int
        public let end: Int
        public init?(start: Int, end: Int) {
            guard 0 <= start, start < end, end <= 24 * 60 else { return nil }
            self.start = start
            self.end = end
        }
    }

    public var days: Set<Weekday>
    public var ranges: [Range]

    public init(days: Set<Weekday>, ranges: [Range]) {
        self.days = days
        self.ranges = ranges
    }

    /// Monday to Friday, 09:00–12:00 and 14:00–17:30.
    public static let office = WorkingHours(
        days: [.monday, .tuesday, .wednesday, .thursday, .friday],
        ranges: [Range(start: 540, end: 720), Range(start: 840, end: 1050)].compactMap { $0 }
    )

    /// Parses `mon-fri 09:00-12:00 14:00-17:30` (days as a range or a comma list, then one or more time ranges).
    public init?(text: String) {
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first else { return nil }
        var days = Set<Weekday>()
        for part in first.split(separator: ",") {
            let ends = part.split(separator: "-")
            if ends.count == 2, let a = Weekday(name: ends[0]), let b = Weekday(name: ends[1]), a <= b {
                days.formUnion(Weekday.allCases.filter { a <= $0 && $0 <= b })
            } else if ends.count == 1, let d = Weekday(name: ends[0]) {
                days.insert(d)
            } else {
                return nil
            }
        }
        var ranges: [Range] = []
        for word in words.dropFirst() {
            let ends = word.split(separator: "-")
            guard ends.count == 2, let s = WorkingHours.minutes(ends[0]), let e = WorkingHours.minutes(ends[1]),
                  let r = Range(start: s, end: e) else { return nil }
            if let last = ranges.last, last.end > r.start { return nil }
            ranges.append(r)
        }
        guard !days.isEmpty, !ranges.isEmpty else { return nil }
        self.init(days: days, ranges: ranges)
    }

    static func minutes(_ text: Substring) -> Int? {
        let hm = text.split(separator: ":")
        guard hm.count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m),
              h * 60 + m <= 24 * 60 else { return nil }
        return h * 60 + m
    }

    /// `mon-fri 09:00-12:00 14:00-17:30`.
    public var description: String {
        let sorted = days.sorted()
        let dayText: String
        if let f = sorted.first, let l = sorted.last, sorted.count == l.index - f.index + 1, sorted.count > 1 {
            dayText = "\(f.shortName)-\(l.shortName)"
        } else {
            dayText = sorted.map(\.shortName).joined(separator: ",")
        }
        let t = { (m: Int) in "\(pad(m / 60, 2)):\(pad(m % 60, 2))" }
        return ([dayText] + ranges.map { "\(t($0.start))-\(t($0.end))" }).joined(separator: " ")
    }
}
