import Foundation

/// The languages of the workspace. Every string the pages show is in ``UIStrings``, one table per language.
public enum Language: String, Sendable, CaseIterable {
    case en, fr

    /// The language a browser prefers among ours (`Accept-Language: fr-FR,fr;q=0.9,en;q=0.8`), English otherwise.
    public static func preferred(acceptLanguage header: String?) -> Language {
        guard let header else { return .en }
        let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, !tag.isEmpty else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag.lowercased(), q)
        }
        for (tag, _) in ranked.sorted(by: { $0.1 > $1.1 }) {
            if let l = Language(rawValue: String(tag.prefix(2))) { return l }
        }
        return .en
    }

    /// The strings of this language.
    public var strings: [String: String] { self == .fr ? UIStrings.fr : UIStrings.en }

    /// One string (its key when missing, which a test forbids).
    public func text(_ key: String) -> String { strings[key] ?? key }
}

/// Every string shown by the pages, by key, in each language. A test checks that both tables have the same keys.
public enum UIStrings {
    public static let en: [String: String] = [
        "app": "Relance",
        "nav_overview": "Overview", "nav_customers": "Customers", "nav_stuck": "Stuck", "nav_signout": "Sign out",
        "signin_title": "Sign in", "signin_name": "Name", "signin_password": "Password", "signin_submit": "Sign in",
        "signin_failed": "Wrong name or password.", "signin_throttled": "Too many failed attempts: wait a few minutes.",
        "overview_title": "Portfolio", "overview_open": "Open", "overview_overdue": "Overdue", "overview_stuck": "Stuck",
        "overview_invoices": "open invoices", "overview_forecast": "Cash-in forecast by week",
        "overview_expected": "expected", "overview_band": "80% band", "overview_customers": "Customers",
        "overview_asof": "As of",
        "customers_title": "Customers", "customers_name": "Customer", "customers_openCount": "Open invoices",
        "customers_open": "Open", "customers_overdue": "Overdue", "customers_stuck": "Stuck",
        "customer_org": "Organisation", "customer_invoices": "Open invoices",
        "customer_nographviz": "Graphviz is not installed on the server: the organisation is shown as text. Install it with 'apt-get install graphviz'.",
        "customer_legend": "Invoices are placed on the department where they most probably are; colour by risk of paying late.",
        "risk_low": "low risk", "risk_medium": "medium risk", "risk_high": "high risk", "risk_blocked": "blocked",
        "invoice_title": "Invoice", "invoice_customer": "Customer", "invoice_amount": "Amount", "invoice_open": "Open",
        "invoice_issued": "Issued", "invoice_due": "Due", "invoice_route": "Route", "invoice_step": "Step",
        "invoice_department": "Department", "invoice_status": "Status", "invoice_since": "Since",
        "invoice_probHere": "Chance it is here", "invoice_timeline": "Events", "invoice_noEvents": "No event yet.",
        "invoice_noRoute": "No route known for this invoice.", "invoice_blocks": "Blocked",
        "invoice_forecast": "Payment forecast", "invoice_byDue": "Chance of payment by the due date",
        "invoice_daysLate": "Expected days late", "invoice_method": "Method", "invoice_closed": "This invoice is closed.",
        "invoice_salesRep": "Sales rep",
        "log_title": "Log a call outcome or an event", "log_state": "What happened", "log_none": "No answer / note only",
        "log_department": "Department", "log_anyDepartment": "(where it is)", "log_date": "Date", "log_note": "Note",
        "log_promised": "Promised or announced payment date", "log_submit": "Record", "log_done": "Recorded.",
        "log_readOnly": "Your account is read-only.",
        "status_done": "done", "status_pending": "here now", "status_waiting": "waiting",
        "stuck_title": "Stuck invoices", "stuck_customer": "Customer", "stuck_all": "All customers",
        "stuck_minProbability": "At least this sure (%)", "stuck_minAmount": "Open amount at least", "stuck_filter": "Filter",
        "stuck_invoice": "Invoice", "stuck_open": "Open", "stuck_due": "Due", "stuck_department": "Department",
        "stuck_step": "Step", "stuck_why": "Why", "stuck_since": "Since", "stuck_stake": "Stake", "stuck_none": "Nothing is stuck.",
        "error_title": "Something is wrong", "error_back": "Back to the overview",
        "agenda_title": "Agenda", "agenda_date": "Day", "agenda_for": "For (person)", "agenda_show": "Show",
        "agenda_summary": "%d calls, %d letters, %d requests to sales reps, %d bill deadlines, %d disputes due",
        "agenda_calls": "Calls", "agenda_time": "Time", "agenda_contact": "Contact", "agenda_ask": "Ask",
        "agenda_noCalls": "No call to make this day.", "agenda_unreachable": "not reachable today",
        "agenda_daysLate": "%d days late", "agenda_dueToday": "due today", "agenda_dueIn": "due in %d days",
        "agenda_forecast": "forecast", "agenda_byDue": "by due",
        "agenda_noAnswer": "No answer", "agenda_approval": "Approval given", "agenda_promise": "Promise for",
        "agenda_dispute": "Dispute:", "agenda_reasonHint": "reason", "agenda_record": "Record",
        "agenda_logged": "Recorded: the agenda is recomputed.",
        "agenda_letters": "Letters to send", "agenda_requests": "Requests to sales reps", "agenda_visit": "visit to collect the payment",
        "agenda_callContact": "call your contact", "agenda_bills": "Bills of exchange: accepted bill not back",
        "agenda_deadline": "at the bank by", "agenda_daysLeft": "days left", "agenda_disputes": "Disputes",
        "agenda_owner": "owner", "agenda_target": "target", "agenda_due": "due", "agenda_deferred": "Not called today (per-contact limit)",
        "agenda_calledOn": "called on",
        "reports_title": "Reports", "reports_from": "From", "reports_to": "To", "reports_customer": "Customer", "reports_all": "All customers",
        "reports_show": "Show", "reports_kpis": "KPIs by customer", "reports_open": "Open", "reports_overdue": "Overdue",
        "reports_dsoCountBack": "DSO count-back", "reports_dsoStandard": "DSO standard", "reports_daysLate": "Days late (avg / wtd)",
        "reports_cei": "CEI", "reports_onTime": "Paid by due", "reports_noKPIs": "No invoice in this period.",
        "reports_bottlenecks": "Bottlenecks: where invoices wait", "reports_department": "Department", "reports_step": "Step",
        "reports_median": "Median (working days)", "reports_p90": "P90", "reports_adds": "Adds", "reports_noBottlenecks": "Not enough steps observed.",
        "reports_chart": "Where invoices wait: the slowest department steps", "reports_period": "days",
        "nav_agenda": "Agenda", "nav_reports": "Reports",
        "lang_switch": "Français",
    ]

    public static let fr: [String: String] = [
        "app": "Relance",
        "nav_overview": "Vue d'ensemble", "nav_customers": "Clients", "nav_stuck": "Bloquées", "nav_signout": "Se déconnecter",
        "signin_title": "Connexion", "signin_name": "Nom", "signin_password": "Mot de passe", "signin_submit": "Se connecter",
        "signin_failed": "Nom ou mot de passe incorrect.", "signin_throttled": "Trop d'essais manqués : attendez quelques minutes.",
        "overview_title": "Portefeuille", "overview_open": "Encours", "overview_overdue": "Échu", "overview_stuck": "Bloquées",
        "overview_invoices": "factures ouvertes", "overview_forecast": "Prévision d'encaissement par semaine",
        "overview_expected": "attendu", "overview_band": "intervalle à 80 %", "overview_customers": "Clients",
        "overview_asof": "Au",
        "customers_title": "Clients", "customers_name": "Client", "customers_openCount": "Factures ouvertes",
        "customers_open": "Encours", "customers_overdue": "Échu", "customers_stuck": "Bloquées",
        "customer_org": "Organisation", "customer_invoices": "Factures ouvertes",
        "customer_nographviz": "Graphviz n'est pas installé sur le serveur : l'organisation est montrée en texte. Installez-le avec « apt-get install graphviz ».",
        "customer_legend": "Chaque facture est placée sur le service où elle est le plus probablement ; couleur selon le risque de retard.",
        "risk_low": "risque faible", "risk_medium": "risque moyen", "risk_high": "risque élevé", "risk_blocked": "bloquée",
        "invoice_title": "Facture", "invoice_customer": "Client", "invoice_amount": "Montant", "invoice_open": "Reste dû",
        "invoice_issued": "Émise le", "invoice_due": "Échéance", "invoice_route": "Circuit", "invoice_step": "Étape",
        "invoice_department": "Service", "invoice_status": "État", "invoice_since": "Depuis",
        "invoice_probHere": "Probabilité qu'elle soit ici", "invoice_timeline": "Événements", "invoice_noEvents": "Aucun événement.",
        "invoice_noRoute": "Aucun circuit connu pour cette facture.", "invoice_blocks": "Blocages",
        "invoice_forecast": "Prévision de paiement", "invoice_byDue": "Probabilité d'être payée à l'échéance",
        "invoice_daysLate": "Retard attendu (jours)", "invoice_method": "Méthode", "invoice_closed": "Cette facture est soldée.",
        "invoice_salesRep": "Commercial",
        "log_title": "Noter le résultat d'un appel ou un événement", "log_state": "Ce qui s'est passé", "log_none": "Pas de réponse / note seule",
        "log_department": "Service", "log_anyDepartment": "(là où elle est)", "log_date": "Date", "log_note": "Note",
        "log_promised": "Date de paiement promise ou annoncée", "log_submit": "Enregistrer", "log_done": "Enregistré.",
        "log_readOnly": "Votre compte est en lecture seule.",
        "status_done": "fait", "status_pending": "ici maintenant", "status_waiting": "en attente",
        "stuck_title": "Factures bloquées", "stuck_customer": "Client", "stuck_all": "Tous les clients",
        "stuck_minProbability": "Certitude minimale (%)", "stuck_minAmount": "Reste dû minimal", "stuck_filter": "Filtrer",
        "stuck_invoice": "Facture", "stuck_open": "Reste dû", "stuck_due": "Échéance", "stuck_department": "Service",
        "stuck_step": "Étape", "stuck_why": "Motif", "stuck_since": "Depuis", "stuck_stake": "Enjeu", "stuck_none": "Rien n'est bloqué.",
        "error_title": "Un problème est survenu", "error_back": "Retour à la vue d'ensemble",
        "agenda_title": "Agenda", "agenda_date": "Jour", "agenda_for": "Pour (personne)", "agenda_show": "Afficher",
        "agenda_summary": "%d appels, %d lettres, %d demandes aux commerciaux, %d échéances d'effets, %d litiges à traiter",
        "agenda_calls": "Appels", "agenda_time": "Heure", "agenda_contact": "Contact", "agenda_ask": "Demander",
        "agenda_noCalls": "Aucun appel à passer ce jour.", "agenda_unreachable": "injoignable aujourd'hui",
        "agenda_daysLate": "%d jours de retard", "agenda_dueToday": "échue aujourd'hui", "agenda_dueIn": "échéance dans %d jours",
        "agenda_forecast": "prévision", "agenda_byDue": "à l'échéance",
        "agenda_noAnswer": "Pas de réponse", "agenda_approval": "Bon à payer donné", "agenda_promise": "Promesse pour le",
        "agenda_dispute": "Litige :", "agenda_reasonHint": "motif", "agenda_record": "Enregistrer",
        "agenda_logged": "Enregistré : l'agenda est recalculé.",
        "agenda_letters": "Lettres à envoyer", "agenda_requests": "Demandes aux commerciaux", "agenda_visit": "visite pour récupérer le règlement",
        "agenda_callContact": "appeler votre contact", "agenda_bills": "Effets de commerce : effet accepté non revenu",
        "agenda_deadline": "à la banque avant le", "agenda_daysLeft": "jours restants", "agenda_disputes": "Litiges",
        "agenda_owner": "responsable", "agenda_target": "objectif", "agenda_due": "à traiter", "agenda_deferred": "Pas appelés aujourd'hui (délai par contact)",
        "agenda_calledOn": "appelé le",
        "reports_title": "Rapports", "reports_from": "Du", "reports_to": "Au", "reports_customer": "Client", "reports_all": "Tous les clients",
        "reports_show": "Afficher", "reports_kpis": "Indicateurs par client", "reports_open": "Encours", "reports_overdue": "Échu",
        "reports_dsoCountBack": "DSO (épuisement)", "reports_dsoStandard": "DSO (standard)", "reports_daysLate": "Jours de retard (moy. / pond.)",
        "reports_cei": "CEI", "reports_onTime": "Payées à l'échéance", "reports_noKPIs": "Aucune facture sur cette période.",
        "reports_bottlenecks": "Goulets : où les factures attendent", "reports_department": "Service", "reports_step": "Étape",
        "reports_median": "Médiane (jours ouvrés)", "reports_p90": "P90", "reports_adds": "Ajoute", "reports_noBottlenecks": "Pas assez d'étapes observées.",
        "reports_chart": "Où les factures attendent : les étapes les plus lentes", "reports_period": "jours",
        "nav_agenda": "Agenda", "nav_reports": "Rapports",
        "lang_switch": "English",
    ]
}
