import { registry } from "@web/core/registry";

// A manager types a member's own credit limit as h:mm and reads it so; the
// ledger lines and their total read in h:mm too.
registry.category("web_tour.tours").add("timebank_minutes_widget", {
    steps: () => [
        {
            content: "Open the membership tab",
            trigger: ".o_notebook_headers .nav-link:contains(Membership)",
            run: "click",
        },
        {
            content: "Type the limit as hours and minutes",
            trigger: ".o_field_timebank_minutes[name=credit_limit] input",
            run: "edit 2:30",
        },
        {
            content: "Save the member",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
        {
            content: "Shown as typed",
            trigger: ".o_field_timebank_minutes[name=credit_limit] input:value('2:30')",
        },
    ],
});

registry.category("web_tour.tours").add("timebank_minutes_list", {
    steps: () => [
        {
            content: "A ledger line of an hour and a half",
            trigger: ".o_data_cell[name=credit]:contains(1:30)",
        },
        {
            content: "Totals in hours and minutes",
            trigger: ".o_list_footer .o_list_number:contains(:)",
        },
    ],
});

registry.category("web_tour.tours").add("timebank_minutes_pivot", {
    steps: () => [
        {
            content: "The ledger analysis sums minutes as hours and minutes",
            trigger: ".o_pivot .o_pivot_cell_value:contains(1:30)",
        },
    ],
});
