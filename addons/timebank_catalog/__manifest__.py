{
    "name": "Time Bank Catalog: Table 1",
    "summary": "The service catalog of a community time bank, ready to use: "
    "14 services in 4 categories with their difficulty coefficient and cap",
    "version": "18.0.1.0.0",
    "category": "Services/Time Bank",
    "author": "Time Bank for Odoo",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "depends": ["timebank_core"],
    "data": [
        "data/timebank_service_item_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "timebank_catalog/static/tests/tours/catalog_zh_tour.js",
        ],
    },
    "demo": [
        "demo/timebank_exchange_demo.xml",
    ],
}
