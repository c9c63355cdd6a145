{
    "name": "Time Bank Matching",
    "summary": "Needs and offers of a time bank, a matching engine that explains its "
    "ranking, portal claims and recurring care plans",
    "version": "18.0.2.4.0",
    "category": "Services/Time Bank",
    "author": "Time Bank for Odoo",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "depends": ["timebank_core", "mail", "portal", "base_geolocalize", "queue_job"],
    "data": [
        "security/timebank_matching_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/queue_job_data.xml",
        "views/timebank_request_views.xml",
        "views/timebank_offer_views.xml",
        "views/timebank_care_plan_views.xml",
        "views/timebank_service_item_views.xml",
        "views/res_config_settings_views.xml",
        "views/portal_templates.xml",
        "views/timebank_matching_menus.xml",
    ],
    "demo": [
        "demo/timebank_request_demo.xml",
    ],
}
