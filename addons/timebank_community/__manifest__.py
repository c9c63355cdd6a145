{
    "name": "Time Bank Community",
    "summary": "Community life of a time bank: gatherings and the annual "
    "celebration as Odoo events, and members' time stories published with "
    "their consent",
    "version": "18.0.1.0.0",
    "category": "Services/Time Bank",
    "author": "Time Bank for Odoo",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "depends": ["timebank_core", "event"],
    "data": [
        "security/timebank_community_security.xml",
        "security/ir.model.access.csv",
        "data/event_type_data.xml",
        "views/event_type_views.xml",
        "views/event_event_views.xml",
        "views/timebank_story_views.xml",
        "views/timebank_member_views.xml",
        "views/portal_templates.xml",
        "views/timebank_public_hours_templates.xml",
        "views/timebank_community_menus.xml",
    ],
}
