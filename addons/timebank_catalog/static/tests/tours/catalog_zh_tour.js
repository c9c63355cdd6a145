import { registry } from "@web/core/registry";

// The catalog in Chinese, in the portal and in the back end.
registry.category("web_tour.tours").add("timebank_catalog_zh_tw_portal", {
    steps: () => [
        {
            content: "The service of the catalog in Chinese",
            trigger: "main:contains(普通衛生)",
        },
    ],
});

registry.category("web_tour.tours").add("timebank_catalog_zh_tw_backend", {
    steps: () => [
        {
            content: "The catalog's item in Chinese",
            trigger: ".o_data_cell:contains(普通衛生)",
        },
        {
            content: "The menu in Chinese",
            trigger: ".o_main_navbar:contains(時間銀行)",
        },
    ],
});
