import { registry } from "@web/core/registry";

function noWiderThanThePhone() {
    const width = document.documentElement.scrollWidth;
    if (width > window.innerWidth) {
        const wide = [...document.querySelectorAll("main *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(-3)
            .map((el) => `${el.tagName}.${el.className}`);
        throw new Error(
            `The page is ${width}px wide on a ${window.innerWidth}px phone: ${wide.join(", ")}`
        );
    }
}

// A member's time bank page on a phone: the balance first, nothing to scroll
// sideways.
registry.category("web_tour.tours").add("timebank_portal_phone_home", {
    steps: () => [
        {
            content: "The balance leads the page",
            trigger: ".o_timebank_portal .timebank-balance",
        },
        {
            content: "Nothing wider than the phone",
            trigger: ".o_timebank_portal .timebank-services",
            run: noWiderThanThePhone,
        },
    ],
});

// Any other portal page of the time bank on a phone.
registry.category("web_tour.tours").add("timebank_portal_phone_page", {
    steps: () => [
        {
            content: "Nothing wider than the phone",
            trigger: ".o_timebank_portal",
            run: noWiderThanThePhone,
        },
    ],
});
