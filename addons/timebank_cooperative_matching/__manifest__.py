{
    "name": "Time Bank Cooperative Matching",
    "summary": "The matching engine proposes for a service only the volunteers "
    "holding the trainings it requires",
    "version": "18.0.1.0.0",
    "category": "Services/Time Bank",
    "author": "Time Bank for Odoo",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "auto_install": True,
    "depends": ["timebank_cooperative", "timebank_matching"],
}
