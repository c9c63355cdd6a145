import { registry } from "@web/core/registry";

// A broker registers an elder and names her son her proxy, in one save.
registry.category("web_tour.tours").add("timebank_register_elder_with_proxy", {
    steps: () => [
        {
            content: "Choose the person",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Tsai A-ma",
        },
        {
            content: "Pick her",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Tsai A-ma)",
            run: "click",
        },
        {
            content: "The care and proxy tab",
            trigger: ".o_notebook_headers .nav-link:contains(Care and Proxy)",
            run: "click",
        },
        {
            content: "Her son is her proxy",
            trigger: ".o_field_widget[name=proxy_id] input",
            run: "edit Tour Tsai Wei",
        },
        {
            content: "Pick him",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Tsai Wei)",
            run: "click",
        },
        {
            content: "The day she agreed",
            trigger: ".o_field_widget[name=proxy_consent_date] input",
            run: "edit 06/01/2026 && press Enter",
        },
        {
            content: "He may request services for her",
            trigger: ".o_field_widget[name=proxy_can_request] input",
            run: "check",
        },
        {
            content: "He may see her time bank",
            trigger: ".o_field_widget[name=proxy_can_view] input",
            run: "check",
        },
        {
            content: "The membership tab",
            trigger: ".o_notebook_headers .nav-link:contains(Membership)",
            run: "click",
        },
        {
            content: "She agreed to the privacy notice",
            trigger: ".o_field_widget[name=privacy_consent] input",
            run: "check",
        },
        {
            content: "Save once",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
    ],
});

// A broker records a service typing Start before End, and submits it.
registry.category("web_tour.tours").add("timebank_record_service_start_first", {
    steps: () => [
        {
            content: "The volunteer",
            trigger: ".o_field_widget[name=provider_id] input",
            run: "edit Tour Volunteer Amy",
        },
        {
            content: "Pick her",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Volunteer Amy)",
            run: "click",
        },
        {
            content: "The service",
            trigger: ".o_field_widget[name=item_id] input",
            run: "edit Tour shopping",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour shopping)",
            run: "click",
        },
        {
            content: "The person helped",
            trigger: ".o_field_widget[name=receiver_id] input",
            run: "edit Tour Elder Chen",
        },
        {
            content: "Pick her",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Elder Chen)",
            run: "click",
        },
        {
            content: "Start first",
            trigger: ".o_field_widget[name=date_start] input",
            run: "edit 11/30/2026 09:00:00 && press Enter",
        },
        {
            content: "Then End",
            trigger: ".o_field_widget[name=date_end] input",
            run: "edit 11/30/2026 10:30:00 && press Enter",
        },
        {
            content: "An hour and a half worked",
            trigger: ".o_field_widget[name=actual_minutes]:contains(1:30)",
        },
        {
            content: "Submit",
            trigger: "button[name=action_submit]",
            run: "click",
        },
        {
            content: "Submitted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Submitted)",
        },
    ],
});

// Another broker verifies and posts it, once the receiver confirmed it.
registry.category("web_tour.tours").add("timebank_verify_and_post", {
    steps: () => [
        {
            content: "Verify",
            trigger: "button[name=action_verify]",
            run: "click",
        },
        {
            content: "Post",
            trigger: "button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Posted)",
        },
    ],
});
