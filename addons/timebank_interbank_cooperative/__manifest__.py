{
    "name": "Time Bank Interbank Cooperative",
    "summary": "A link statement that disagrees with the partner bank's, a sequence "
    "gap or a chain mismatch opens a dispute about the link",
    "version": "18.0.1.1.0",
    "category": "Services/Time Bank",
    "author": "Time Bank for Odoo",
    "website": "https://github.com/timebank-odoo/timebank",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "auto_install": True,
    "depends": ["timebank_cooperative", "timebank_interbank"],
    "data": ["views/timebank_dispute_views.xml"],
}
