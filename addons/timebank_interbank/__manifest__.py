{
    "name": "Time Bank Interbank",
    "summary": "Exchange between time banks: peer agreements with trust limits, "
    "transfers in one database or between servers by signed messages",
    "version": "18.0.1.0.2",
    "category": "Services/Time Bank",
    "author": "Time Bank for Odoo",
    "website": "https://github.com/timebank-odoo/timebank",
    "maintainers": [],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "depends": ["timebank_core", "mail"],
    "external_dependencies": {"python": ["cryptography", "requests"]},
    "data": [
        "security/timebank_interbank_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/timebank_peer_views.xml",
        "views/timebank_interbank_transfer_views.xml",
    ],
    "post_init_hook": "post_init_hook",
}
